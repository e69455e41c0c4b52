using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Bihuan.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class FilesAsRecordChildren : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Attachments");

            migrationBuilder.DropColumn(
                name: "Images",
                table: "WorkOrders");

            migrationBuilder.DropColumn(
                name: "Evidence",
                table: "SupervisionOrders");

            migrationBuilder.DropColumn(
                name: "Evidence",
                table: "RectUpdates");

            migrationBuilder.DropColumn(
                name: "Attachments",
                table: "Meetings");

            migrationBuilder.CreateTable(
                name: "Uploads",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ContentType = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    UploadedById = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    UploadedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    OrgId = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Uploads", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Uploads_Orgs_OrgId",
                        column: x => x.OrgId,
                        principalTable: "Orgs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "FileCitations",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UploadId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RectUpdateId = table.Column<int>(type: "INTEGER", nullable: true),
                    MeetingId = table.Column<int>(type: "INTEGER", nullable: true),
                    SupervisionEventId = table.Column<int>(type: "INTEGER", nullable: true),
                    WorkOrderId = table.Column<int>(type: "INTEGER", nullable: true),
                    OrgId = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FileCitations", x => x.Id);
                    table.CheckConstraint("CK_FileCitations_OneRecord", "(CASE WHEN \"RectUpdateId\" IS NULL THEN 0 ELSE 1 END) + (CASE WHEN \"MeetingId\" IS NULL THEN 0 ELSE 1 END) + (CASE WHEN \"SupervisionEventId\" IS NULL THEN 0 ELSE 1 END) + (CASE WHEN \"WorkOrderId\" IS NULL THEN 0 ELSE 1 END) = 1");
                    table.ForeignKey(
                        name: "FK_FileCitations_Meetings_MeetingId",
                        column: x => x.MeetingId,
                        principalTable: "Meetings",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_FileCitations_Orgs_OrgId",
                        column: x => x.OrgId,
                        principalTable: "Orgs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_FileCitations_RectUpdates_RectUpdateId",
                        column: x => x.RectUpdateId,
                        principalTable: "RectUpdates",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_FileCitations_SupervisionEvents_SupervisionEventId",
                        column: x => x.SupervisionEventId,
                        principalTable: "SupervisionEvents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_FileCitations_Uploads_UploadId",
                        column: x => x.UploadId,
                        principalTable: "Uploads",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_FileCitations_WorkOrders_WorkOrderId",
                        column: x => x.WorkOrderId,
                        principalTable: "WorkOrders",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_FileCitations_MeetingId",
                table: "FileCitations",
                column: "MeetingId");

            migrationBuilder.CreateIndex(
                name: "IX_FileCitations_OrgId",
                table: "FileCitations",
                column: "OrgId");

            migrationBuilder.CreateIndex(
                name: "IX_FileCitations_RectUpdateId",
                table: "FileCitations",
                column: "RectUpdateId");

            migrationBuilder.CreateIndex(
                name: "IX_FileCitations_SupervisionEventId",
                table: "FileCitations",
                column: "SupervisionEventId");

            migrationBuilder.CreateIndex(
                name: "IX_FileCitations_UploadId",
                table: "FileCitations",
                column: "UploadId");

            migrationBuilder.CreateIndex(
                name: "IX_FileCitations_WorkOrderId",
                table: "FileCitations",
                column: "WorkOrderId");

            migrationBuilder.CreateIndex(
                name: "IX_Uploads_OrgId",
                table: "Uploads",
                column: "OrgId");

            migrationBuilder.CreateIndex(
                name: "IX_Uploads_Sha256",
                table: "Uploads",
                column: "Sha256");

            migrationBuilder.CreateIndex(
                name: "IX_Uploads_UploadedById",
                table: "Uploads",
                column: "UploadedById");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FileCitations");

            migrationBuilder.DropTable(
                name: "Uploads");

            migrationBuilder.AddColumn<string>(
                name: "Images",
                table: "WorkOrders",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Evidence",
                table: "SupervisionOrders",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Evidence",
                table: "RectUpdates",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Attachments",
                table: "Meetings",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "Attachments",
                columns: table => new
                {
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ContentType = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    UploadedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UploadedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Attachments", x => x.Sha256);
                });
        }
    }
}
