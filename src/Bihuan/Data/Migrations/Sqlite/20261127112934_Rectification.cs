using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Bihuan.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Rectification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Attachments",
                columns: table => new
                {
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    ContentType = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    UploadedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    UploadedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Attachments", x => x.Sha256);
                });

            migrationBuilder.CreateTable(
                name: "Categories",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Group = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    SortOrder = table.Column<int>(type: "INTEGER", nullable: false),
                    RecheckDays = table.Column<int>(type: "INTEGER", nullable: false),
                    Archived = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Categories", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Problems",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrgId = table.Column<int>(type: "INTEGER", nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    Aspect = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    CategoryId = table.Column<int>(type: "INTEGER", nullable: true),
                    Dimension = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Severity = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    LeaderId = table.Column<int>(type: "INTEGER", nullable: true),
                    CampaignId = table.Column<int>(type: "INTEGER", nullable: true),
                    Batch = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    RecurrenceOfId = table.Column<int>(type: "INTEGER", nullable: true),
                    ImportKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Problems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Problems_Campaigns_CampaignId",
                        column: x => x.CampaignId,
                        principalTable: "Campaigns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Problems_Categories_CategoryId",
                        column: x => x.CategoryId,
                        principalTable: "Categories",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Problems_Orgs_OrgId",
                        column: x => x.OrgId,
                        principalTable: "Orgs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Problems_People_LeaderId",
                        column: x => x.LeaderId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Problems_Problems_RecurrenceOfId",
                        column: x => x.RecurrenceOfId,
                        principalTable: "Problems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "RectItems",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ProblemId = table.Column<int>(type: "INTEGER", nullable: false),
                    OrgId = table.Column<int>(type: "INTEGER", nullable: false),
                    CoUnits = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Measures = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Target = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    LeaderId = table.Column<int>(type: "INTEGER", nullable: true),
                    Handler = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    StartOn = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Deadline = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    ReportEveryDays = table.Column<int>(type: "INTEGER", nullable: true),
                    LastProgressOn = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    DeadlineKind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Severity = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    Percent = table.Column<int>(type: "INTEGER", nullable: false),
                    ReturnCount = table.Column<int>(type: "INTEGER", nullable: false),
                    ReopenCount = table.Column<int>(type: "INTEGER", nullable: false),
                    ClosureRequestedBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ClosureSummary = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    ClosureEvidenceCount = table.Column<int>(type: "INTEGER", nullable: false),
                    VerifiedBy = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ClosedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    RecheckDue = table.Column<DateOnly>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RectItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RectItems_Orgs_OrgId",
                        column: x => x.OrgId,
                        principalTable: "Orgs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_RectItems_People_LeaderId",
                        column: x => x.LeaderId,
                        principalTable: "People",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_RectItems_Problems_ProblemId",
                        column: x => x.ProblemId,
                        principalTable: "Problems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "RectUpdates",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RectItemId = table.Column<int>(type: "INTEGER", nullable: false),
                    OrgId = table.Column<int>(type: "INTEGER", nullable: false),
                    Action = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    FromStatus = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    ToStatus = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    ActorId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ActorName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Percent = table.Column<int>(type: "INTEGER", nullable: true),
                    Evidence = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RectUpdates", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RectUpdates_Orgs_OrgId",
                        column: x => x.OrgId,
                        principalTable: "Orgs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_RectUpdates_RectItems_RectItemId",
                        column: x => x.RectItemId,
                        principalTable: "RectItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Problems_CampaignId",
                table: "Problems",
                column: "CampaignId");

            migrationBuilder.CreateIndex(
                name: "IX_Problems_CategoryId",
                table: "Problems",
                column: "CategoryId");

            migrationBuilder.CreateIndex(
                name: "IX_Problems_ImportKey",
                table: "Problems",
                column: "ImportKey");

            migrationBuilder.CreateIndex(
                name: "IX_Problems_LeaderId",
                table: "Problems",
                column: "LeaderId");

            migrationBuilder.CreateIndex(
                name: "IX_Problems_OrgId_Source",
                table: "Problems",
                columns: new[] { "OrgId", "Source" });

            migrationBuilder.CreateIndex(
                name: "IX_Problems_RecurrenceOfId",
                table: "Problems",
                column: "RecurrenceOfId");

            migrationBuilder.CreateIndex(
                name: "IX_RectItems_Deadline",
                table: "RectItems",
                column: "Deadline");

            migrationBuilder.CreateIndex(
                name: "IX_RectItems_LeaderId",
                table: "RectItems",
                column: "LeaderId");

            migrationBuilder.CreateIndex(
                name: "IX_RectItems_OrgId_Status",
                table: "RectItems",
                columns: new[] { "OrgId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_RectItems_ProblemId",
                table: "RectItems",
                column: "ProblemId");

            migrationBuilder.CreateIndex(
                name: "IX_RectUpdates_OrgId",
                table: "RectUpdates",
                column: "OrgId");

            migrationBuilder.CreateIndex(
                name: "IX_RectUpdates_RectItemId",
                table: "RectUpdates",
                column: "RectItemId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Attachments");

            migrationBuilder.DropTable(
                name: "RectUpdates");

            migrationBuilder.DropTable(
                name: "RectItems");

            migrationBuilder.DropTable(
                name: "Problems");

            migrationBuilder.DropTable(
                name: "Categories");
        }
    }
}
