// The secret policy: the ODBC connection-string grammar of PWD/Password
// values, password-like names, display masking, terminal escaping, and the
// marking of events derived from the run's secret strings.
#include "store/secret_policy.h"

#include <gtest/gtest.h>

#include "store/sha256.h"

namespace tidemark::store {
namespace {

std::string Mask(std::string_view s) { return MaskConnectionPasswords(s); }

TEST(SecretPolicyTest, MasksBracedPasswordWithSemicolon) {
  EXPECT_EQ(Mask("DRIVER={SQL Server};SERVER=X;UID=sa;PWD={s3;cr3t};"),
            "DRIVER={SQL Server};SERVER=X;UID=sa;PWD=***;");
  EXPECT_EQ(Mask("PWD={s3;cr3t}"), "PWD=***");
}

TEST(SecretPolicyTest, EscapedClosingBraceStaysInsideTheValue) {
  EXPECT_EQ(Mask("UID=sa;PWD={a}}b;c};DATABASE=R"), "UID=sa;PWD=***;DATABASE=R");
  EXPECT_EQ(Mask("PWD={}}};X=1"), "PWD=***;X=1");
  EXPECT_EQ(Mask("PWD={}}}};X=1"), "PWD=***");  // {, }}, }} and no closing brace
  // `}}` in another attribute's braces does not end it early.
  EXPECT_EQ(Mask("DATABASE={a}};PWD=b};PWD=c"), "DATABASE={a}};PWD=b};PWD=***");
}

TEST(SecretPolicyTest, UnterminatedBraceMasksToTheEnd) {
  EXPECT_EQ(Mask("SERVER=S;PWD={s3;cr3t;UID=sa"), "SERVER=S;PWD=***");
  EXPECT_EQ(Mask("PWD={"), "PWD=***");
}

TEST(SecretPolicyTest, KeysAreCaseInsensitiveWithSpaces) {
  EXPECT_EQ(Mask("pwd=x"), "pwd=***");
  EXPECT_EQ(Mask("Uid=sa; PassWord = hunter2 ; Server=S"), "Uid=sa; PassWord = ***; Server=S");
  EXPECT_EQ(Mask("UID=sa ;  PWD =  {a;b}  ; X=1"), "UID=sa ;  PWD =  ***; X=1");
}

TEST(SecretPolicyTest, MasksEveryPasswordKey) {
  EXPECT_EQ(Mask("PWD=a;Password=b;pwd={c;d}"), "PWD=***;Password=***;pwd=***");
}

TEST(SecretPolicyTest, OtherKeysAndBracedLookalikesAreKept) {
  const std::string cs = "DRIVER={PWD=x;};PasswordHint=h;SERVER=S";
  EXPECT_EQ(Mask(cs), cs);
  EXPECT_FALSE(HasConnectionPassword(cs));
  EXPECT_FALSE(HasConnectionPassword("Trusted_Connection=Yes;SERVER=S1"));
}

TEST(SecretPolicyTest, PasswordsInScriptLinesAndSpaceSeparatedForms) {
  EXPECT_EQ(Mask("set PWD=abc\r\nnext line"), "set PWD=***\r\nnext line");
  EXPECT_EQ(Mask("host=db user=sa password=pg-s3cret port=5432"), "host=db user=sa password=***");
  EXPECT_TRUE(HasConnectionPassword("Password="));
  EXPECT_EQ(Mask("PWD=;X=1"), "PWD=***;X=1");
}

TEST(SecretPolicyTest, SecretNames) {
  for (const char* n : {"Password", "DB_PWD", "ApiKey", "ServiceToken", "passwd", "ClientSecret",
                        "admin_password", "PrivateKey"}) {
    EXPECT_TRUE(IsSecretName(n)) << n;
  }
  for (const char* n : {"RegistryConnect", "Url", "AllowBackups", "Version", ""}) {
    EXPECT_FALSE(IsSecretName(n)) << n;
  }
}

TEST(SecretPolicyTest, ShowValueMasksWholeOrPart) {
  const Resource dsn = Resource::RegistryValue("S1", "HKLM\\X", "Dsn");
  const Value v = Value::RegString("SERVER=S;PWD={s3;cr3t};");
  EXPECT_EQ(ShowValue(v, &dsn, false, false), "REG_SZ \"SERVER=S;PWD=***;\"");
  EXPECT_TRUE(IsMasked(v, &dsn, false, false));
  EXPECT_EQ(ShowValue(v, &dsn, true, false), "***");
  EXPECT_EQ(ShowValue(v, &dsn, true, true), v.ToDisplay());
  EXPECT_FALSE(IsMasked(v, &dsn, true, true));
  const Resource pw = Resource::RegistryValue("S1", "HKLM\\X", "AdminPassword");
  EXPECT_EQ(ShowValue(Value::RegString("plain"), &pw, false, false), "***");
  EXPECT_EQ(ShowValue(Value::Absent(), &pw, true, false), "<absent>");
  const Resource svc = Resource::Service("S1", "SecretAgent");
  EXPECT_FALSE(IsMasked(Value::Service(ServiceRun::kRunning, StartType::kAuto), &svc, false, false));
}

TEST(SecretPolicyTest, RowsMaskTheirSecretColumns) {
  const Value row = Value::Row({{"Name", Value::Text("sa")}, {"Password", Value::Text("pw-1")}});
  EXPECT_TRUE(IsMasked(row, nullptr, false, false));
  const std::string shown = ShowValue(row, nullptr, false, false);
  EXPECT_EQ(shown.find("pw-1"), std::string::npos) << shown;
  EXPECT_NE(shown.find("sa"), std::string::npos) << shown;
}

TEST(SecretPolicyTest, ParametersByDeclarationOrName) {
  EXPECT_EQ(ShowParameter("admin", "x", true, false), "***");
  EXPECT_EQ(ShowParameter("db_password", "x", false, false), "***");
  EXPECT_EQ(ShowParameter("dsn", "S=1;PWD=y", false, false), "S=1;PWD=***");
  EXPECT_EQ(ShowParameter("admin", "x", true, true), "x");
  RunStarted run;
  run.secret_parameters = {"key"};
  EXPECT_TRUE(IsSecretParameter(run, "key"));
  EXPECT_FALSE(IsSecretParameter(run, "primary"));
}

TEST(SecretPolicyTest, EscapesControlCharactersVisibly) {
  EXPECT_EQ(EscapeForTerminal("a\r\x1b[2K\x1b]52;c;AAAA\ab"), "a\\r\\x1b[2K\\x1b]52;c;AAAA\\x07b");
  EXPECT_EQ(EscapeForTerminal("x\x7fy\tz"), "x\\x7fy\\tz");
  EXPECT_EQ(EscapeForTerminal("c1 \xc2\x9b" "31m"), "c1 \\u009b31m");
  EXPECT_EQ(EscapeForTerminal("bad \xff\xc3("), "bad \\xff\\xc3(");
  EXPECT_EQ(EscapeForTerminal("rtl \xe2\x80\xae"), "rtl \\u202e");
  EXPECT_EQ(EscapeForTerminal("line\nnext"), "line\\nnext");
  EXPECT_EQ(EscapeForTerminal("line\nnext", true), "line\nnext");
  const std::string printable = "HKLM\\SOFTWARE\\Ünïcode → ok";
  EXPECT_EQ(EscapeForTerminal(printable), printable);
  const std::string once = EscapeForTerminal("\r\x1b\xff");
  EXPECT_EQ(EscapeForTerminal(once), once);
}

TEST(SecretPolicyTest, RedactsEverySecretStringAndPassword) {
  SecretPolicy p({"Adm1n!", "", "Adm1n!x"});
  EXPECT_TRUE(p.ContainsSecret("run --password Adm1n!"));
  EXPECT_EQ(p.Redact("a Adm1n!x b Adm1n! c;PWD=z"), "a *** b *** c;PWD=***");
  EXPECT_FALSE(SecretPolicy().ContainsSecret("anything"));
}

TEST(SecretPolicyTest, MarksEventsDerivedFromSecrets) {
  SecretPolicy p({"Adm1n!"});
  const Resource url = Resource::RegistryValue("S1", "HKLM\\X", "Url");
  EventBody intent = Intent{url, Value::Absent(), Value::RegString("u=admin;k=Adm1n!"), "a", 0, false};
  p.Mark(intent, {});
  EXPECT_TRUE(std::get<Intent>(intent).secret);
  EventBody plain = Intent{url, Value::Absent(), Value::RegString("https://x"), "a", 0, false};
  p.Mark(plain, {});
  EXPECT_FALSE(std::get<Intent>(plain).secret);
  const Resource pw = Resource::SqlCell("db", "T", {{"Id", Value::Integer(1)}}, "Password");
  EventBody observed = Observed{pw, Value::Text("a"), Value::Text("b"), false};
  SecretPolicy().Mark(observed, {});
  EXPECT_TRUE(std::get<Observed>(observed).secret);
  EventBody applied = Applied{1, url, Value::RegString("k=Adm1n!"), false};
  p.Mark(applied, {});
  EXPECT_TRUE(std::get<Applied>(applied).secret);
}

TEST(SecretPolicyTest, MarksFileChangesByTheirContent) {
  SecretPolicy p({"Adm1n!"});
  const std::string content = "set PASS=Adm1n!\r\n";
  const Resource f = Resource::File("S1", "C:\\x.cmd");
  EventBody intent = Intent{f, Value::Absent(), Value::File(Sha256Hex(content), 17), "a", 0, false};
  p.Mark(intent, {"other", content});
  EXPECT_TRUE(std::get<Intent>(intent).secret);
  EventBody unrelated = Intent{f, Value::Absent(), Value::File(Sha256Hex("clean"), 5), "a", 0, false};
  p.Mark(unrelated, {"clean", content});
  EXPECT_FALSE(std::get<Intent>(unrelated).secret);
}

TEST(SecretPolicyTest, RedactsFreeTextAndRecordsSecretParameters) {
  SecretPolicy p({"Adm1n!"});
  RunStarted rs;
  rs.parameters = {{"primary", "S1"}, {"admin_key", "Adm1n!"}, {"dsn", "u=sa;k=Adm1n!"}};
  rs.command_line = "tidemark apply p.yaml --set admin_key=Adm1n!";
  EventBody b = rs;
  p.Mark(b, {});
  const auto& out = std::get<RunStarted>(b);
  EXPECT_EQ(out.secret_parameters, (std::vector<std::string>{"admin_key", "dsn"}));
  EXPECT_EQ(out.command_line, "tidemark apply p.yaml --set admin_key=***");
  EXPECT_EQ(out.parameters[1].second, "Adm1n!") << "kept for resume";
  EventBody started = ActionStarted{0, "exec", "setup.exe /p Adm1n!", ""};
  p.Mark(started, {});
  EXPECT_EQ(std::get<ActionStarted>(started).detail, "setup.exe /p ***");
  EventBody failed = StepFailed{"exec exited 1: Adm1n! rejected"};
  p.Mark(failed, {});
  EXPECT_EQ(std::get<StepFailed>(failed).error, "exec exited 1: *** rejected");
}

}  // namespace
}  // namespace tidemark::store
