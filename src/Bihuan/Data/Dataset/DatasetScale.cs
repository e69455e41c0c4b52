namespace Bihuan.Data.Dataset;

/// The sizes of a generated dataset. City follows public figures for a large Chinese city (about 50,000 party
/// organizations and 1,000,000 members; Hangzhou 2022: 44,915 and 786,721); district is about a tenth; province five
/// cities; small is what the tests use.
public sealed record DatasetScale(
    string Name,
    int Cities,                 // 1 (a city tree under 市委) or more (a province: 省委 → cities)
    int DistrictsPerCity,
    int CityDepartments,        // 市直单位, each with BranchesPerDepartment branches
    int DepartmentsPerDistrict, // 区直单位
    int BranchesPerDepartment,
    int StreetsPerDistrict,     // 街道/镇 党(工)委
    int CommunitiesPerStreet,   // 社区/村 党委
    int BranchesPerCommunity,
    int MembersPerBranch,       // people on each branch (party members)
    int LeadersPerUnit,         // 班子成员 on each non-branch org
    int Problems,               // spread over departments, streets and communities
    double ItemsPerProblem,
    int WorkOrders,             // 12345 demands over the past year (Guangzhou: ≈100,000 a day city-wide)
    int Meetings,               // meetings and study sessions
    int StudyRecordsPerPerson)  // articles studied (逐篇学)
{
    public static readonly DatasetScale Small = new("small", 1, 2, 3, 3, 1, 2, 2, 2, 5, 3, 200, 1.6, 300, 40, 10);
    public static readonly DatasetScale District = new("district", 1, 1, 10, 45, 4, 16, 18, 15, 20, 5, 30_000, 1.67, 300_000, 20_000, 10);
    public static readonly DatasetScale City = new("city", 1, 11, 60, 45, 4, 16, 18, 15, 20, 5, 300_000, 1.67, 3_000_000, 200_000, 10);
    public static readonly DatasetScale Province = City with { Name = "province", Cities = 5, Problems = 1_500_000, WorkOrders = 15_000_000, Meetings = 1_000_000 };

    public static readonly DatasetScale[] All = [Small, District, City, Province];

    public static DatasetScale? Find(string name) => All.FirstOrDefault(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
}
