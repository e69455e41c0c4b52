# How bihuan.db.gz was made (main at 523a61d, before ADR 0008: files cited by SHA-256 on the records).
# 1. git archive 523a61d | tar -x -C /tmp/legacy && dotnet build /tmp/legacy/src/Bihuan -o /tmp/legacy/bin
# 2. Development, SQLite at copy.db, files root files/: `dotnet bin/bihuan.dll seed demo` (five progress reports
#    with the demo photo), then serve it on :5999 and run the requests below: a 越秀 meeting with an attachment,
#    黄埔区发改局's progress report citing that 越秀 file's hash (the old hole, kept as recorded), a 督办单 answered
#    with evidence. 3. Stop the server, VACUUM, gzip. LegacyFilesTests upgrades a copy and checks it.
set -e
B=http://127.0.0.1:5999
login() { # user jar
  rm -f $2; page=$(curl -s -c $2 -b $2 $B/login)
  tok=$(echo "$page" | grep -o 'name="__RequestVerificationToken" value="[^"]*"' | sed 's/.*value="//;s/"$//')
  curl -s -o /dev/null -c $2 -b $2 -X POST $B/login --data-urlencode "_handler=login" --data-urlencode "__RequestVerificationToken=$tok" \
    --data-urlencode "Input.UserName=$1" --data-urlencode "Input.Password=Demo@2026bh"
}
login yx.fgj.liaison yx.jar; login hp.fgj.liaison hp.jar; login gz.jw jw.jar
printf '%%PDF-1.4\n%% legacy evidence\n%%%%EOF\n' > ev.pdf
S1=$(curl -s -b yx.jar -F "file=@ev.pdf;type=application/pdf;filename=越秀会议纪要.pdf" $B/api/v1/files | python3 -c 'import sys,json;print(json.load(sys.stdin)["sha256"])')
echo S1=$S1
FGJ=$(curl -s -b yx.jar "$B/api/v1/orgs?q=GZ-YX-FGJ" | python3 -c 'import sys,json;d=json.load(sys.stdin);print([o for o in (d if isinstance(d,list) else d.get("items",d.get("rows",[]))) if o["code"]=="GZ-YX-FGJ"][0]["id"])')
HPF=$(curl -s -b hp.jar "$B/api/v1/orgs?q=GZ-HP-FGJ" | python3 -c 'import sys,json;d=json.load(sys.stdin);print([o for o in (d if isinstance(d,list) else d.get("items",d.get("rows",[]))) if o["code"]=="GZ-HP-FGJ"][0]["id"])')
TYPE=$(curl -s -b yx.jar $B/api/v1/meeting-types | python3 -c 'import sys,json;print(json.load(sys.stdin)[0]["id"])')
TODAY=$(date +%F)
curl -s -o /dev/null -w "meeting %{http_code}\n" -b yx.jar -H 'content-type: application/json' -d "{\"orgId\":$FGJ,\"title\":\"遗留会议\",\"typeIds\":[$TYPE],\"heldOn\":\"$TODAY\",\"attachments\":[\"$S1\"]}" $B/api/v1/meetings
P=$(curl -s -b hp.jar -H 'content-type: application/json' -d "{\"orgId\":$HPF,\"description\":\"遗留：黄埔引用越秀文件\",\"source\":0,\"aspect\":1,\"dimension\":3,\"notDuplicate\":true}" $B/api/v1/problems | python3 -c 'import sys,json;print(json.load(sys.stdin)["id"])')
I=$(curl -s -b hp.jar -H 'content-type: application/json' -d '{"measures":"遗留措施","deadlineKind":1}' $B/api/v1/problems/$P/items | python3 -c 'import sys,json;print(json.load(sys.stdin)["id"])')
curl -s -o /dev/null -w "hp progress citing yx hash %{http_code}\n" -b hp.jar -H 'content-type: application/json' -d "{\"text\":\"x\",\"percent\":10,\"evidence\":[\"$S1\"]}" $B/api/v1/rectifications/$I/progress
YI=$(curl -s -b yx.jar "$B/api/v1/rectifications?pageSize=1" | python3 -c 'import sys,json;print(json.load(sys.stdin)["rows"][0]["id"])')
O=$(curl -s -b jw.jar -H 'content-type: application/json' -d "{\"itemIds\":[$YI],\"requirements\":\"请报告\"}" $B/api/v1/supervision/orders | python3 -c 'import sys,json;print(json.load(sys.stdin)["order"]["id"])')
printf '%%PDF-1.4\n%% legacy reply\n%%%%EOF\n' > re.pdf
S2=$(curl -s -b yx.jar -F "file=@re.pdf;type=application/pdf;filename=督办回复.pdf" $B/api/v1/files | python3 -c 'import sys,json;print(json.load(sys.stdin)["sha256"])')
curl -s -o /dev/null -w "respond %{http_code}\n" -b yx.jar -H 'content-type: application/json' -d "{\"text\":\"已整改\",\"evidence\":[\"$S2\"]}" $B/api/v1/supervision/orders/$O/respond
echo "ITEM_HP=$I ORDER=$O"
