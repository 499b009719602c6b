// The C# suite on runtimes NUnit 2.6's console cannot run on (it is .NET Framework only): CoreCLR.
// It finds NUnit's attributes by name through reflection — [TestFixture], [Test], [TestCase],
// [TestCaseSource], [SetUp]/[TearDown], [TestFixtureSetUp]/[TestFixtureTearDown] — and runs every test.
// Nothing is skipped: Assert.Ignore and Assert.Inconclusive count as failures, an attribute this runner
// does not know on a test method fails it, and no test found at all fails the run.
// Usage: TestRunner <tests.dll> [-run=Namespace.Class[,…]] ; exit 0 only when all passed.
// COOKIEPAY_RUNNER_LABELS=1 prints each test's name before it runs (test.sh sets it, as -labels for nunit).

using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Reflection;

namespace CookiePay.TestRunner
{
    public static class Program
    {
        private static readonly string[] Known =
        {
            "TestAttribute", "TestCaseAttribute", "TestCaseSourceAttribute", "SetUpAttribute", "TearDownAttribute",
            "TestFixtureSetUpAttribute", "TestFixtureTearDownAttribute", "AsyncStateMachineAttribute",
            "DebuggerStepThroughAttribute", "CompilerGeneratedAttribute", "IteratorStateMachineAttribute",
        };

        private static int passed, failed;
        private static readonly bool Labels = Environment.GetEnvironmentVariable("COOKIEPAY_RUNNER_LABELS") == "1";
        private static readonly List<string> Failures = new List<string>();

        public static int Main(string[] args)
        {
            if (args.Length < 1) { Console.Error.WriteLine("usage: TestRunner <tests.dll> [-run=Prefix,…]"); return 2; }
            string[] only = args.Skip(1).Where(a => a.StartsWith("-run=", StringComparison.Ordinal))
                .SelectMany(a => a.Substring(5).Split(',')).Where(p => p.Length > 0).ToArray();
            var unknownArgs = args.Skip(1).Where(a => !a.StartsWith("-run=", StringComparison.Ordinal)).ToArray();
            if (unknownArgs.Length > 0) { Console.Error.WriteLine("unknown arguments: " + string.Join(" ", unknownArgs)); return 2; }

            Assembly tests = Assembly.LoadFrom(args[0]);
            string runtime = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;
            Console.WriteLine("Running " + tests.GetName().Name + " on " + runtime);
            var clock = Stopwatch.StartNew();
            foreach (Type fixture in tests.GetTypes().Where(t => Has(t, "TestFixtureAttribute")).OrderBy(t => t.FullName, StringComparer.Ordinal))
            {
                if (only.Length > 0 && !only.Any(p => (fixture.FullName + ".").StartsWith(p.TrimEnd('.') + ".", StringComparison.Ordinal))) continue;
                RunFixture(fixture);
            }
            Console.WriteLine();
            foreach (string f in Failures) Console.WriteLine(f + "\n");
            int total = passed + failed;
            Console.WriteLine(string.Format("Tests run: {0}, Passed: {1}, Failures: {2}, Not run: 0 ({3:0.0} s, {4})",
                total, passed, failed, clock.Elapsed.TotalSeconds, runtime));
            if (total == 0) { Console.Error.WriteLine("no test ran: that is a failure"); return 1; }
            return failed == 0 ? 0 : 1;
        }

        private static void RunFixture(Type fixture)
        {
            MethodInfo[] methods = fixture.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
                .OrderBy(m => m.Name, StringComparer.Ordinal).ToArray();
            var tests = new List<KeyValuePair<string, Action<object>>>();
            foreach (MethodInfo m in methods)
            {
                bool isTest = Has(m, "TestAttribute") || Has(m, "TestCaseAttribute") || Has(m, "TestCaseSourceAttribute");
                if (!isTest) continue;
                string name = fixture.FullName + "." + m.Name;
                var unknown = m.GetCustomAttributes(true).Select(a => a.GetType().Name).Where(n => !Known.Contains(n)).ToArray();
                if (unknown.Length > 0)
                {
                    Fail(name, "attribute(s) this runner does not implement: " + string.Join(", ", unknown));
                    continue;
                }
                MethodInfo method = m;
                if (Has(m, "TestCaseAttribute") || Has(m, "TestCaseSourceAttribute"))
                {
                    foreach (object attribute in m.GetCustomAttributes(true).Where(a => a.GetType().Name == "TestCaseAttribute"))
                    {
                        object[] arguments = (object[])Prop(attribute, "Arguments");
                        tests.Add(Case(name + "(" + string.Join(",", arguments.Select(Show)) + ")", method, arguments));
                    }
                    foreach (object attribute in m.GetCustomAttributes(true).Where(a => a.GetType().Name == "TestCaseSourceAttribute"))
                    {
                        string source = (string)Prop(attribute, "SourceName");
                        IEnumerable cases;
                        try
                        {
                            cases = Source(fixture, source);
                        }
                        catch (Exception e)
                        {
                            Fail(name, "its source " + source + " failed: " + Unwrap(e));
                            continue;
                        }
                        int n = 0;
                        foreach (object data in cases)
                        {
                            n++;
                            object[] arguments = data is object[] ? (object[])data : (object[])Prop(data, "Arguments");
                            string caseName = Prop(data, "TestName") as string ?? (name + "#" + n);
                            tests.Add(Case(fixture.FullName + "." + caseName, method, arguments));
                        }
                        if (n == 0) Fail(name, "its source " + source + " gave no case");
                    }
                }
                else
                {
                    tests.Add(Case(name, method, new object[0]));
                }
            }
            if (tests.Count == 0) return;

            object instance;
            try
            {
                instance = Activator.CreateInstance(fixture);
                foreach (MethodInfo setUp in methods.Where(x => Has(x, "TestFixtureSetUpAttribute"))) setUp.Invoke(instance, null);
            }
            catch (Exception e)
            {
                foreach (var t in tests) Fail(t.Key, "fixture set-up failed: " + Unwrap(e));
                TearDownFixture(fixture, null, methods);
                return;
            }
            foreach (var t in tests)
            {
                // The name before it runs (as nunit-console's -labels): a test that hangs is named in the log.
                if (Labels) Console.WriteLine("***** " + t.Key);
                try
                {
                    foreach (MethodInfo setUp in methods.Where(x => Has(x, "SetUpAttribute"))) setUp.Invoke(instance, null);
                    try
                    {
                        t.Value(instance);
                    }
                    finally
                    {
                        foreach (MethodInfo tearDown in methods.Where(x => Has(x, "TearDownAttribute"))) tearDown.Invoke(instance, null);
                    }
                    passed++;
                    if (!Labels) Console.Write(".");
                }
                catch (Exception e)
                {
                    Fail(t.Key, Unwrap(e));
                }
            }
            TearDownFixture(fixture, instance, methods);
        }

        private static void TearDownFixture(Type fixture, object instance, MethodInfo[] methods)
        {
            if (instance == null) return;
            try
            {
                foreach (MethodInfo tearDown in methods.Where(x => Has(x, "TestFixtureTearDownAttribute"))) tearDown.Invoke(instance, null);
            }
            catch (Exception e)
            {
                Fail(fixture.FullName + " (fixture tear-down)", Unwrap(e));
            }
        }

        private static KeyValuePair<string, Action<object>> Case(string name, MethodInfo method, object[] arguments)
        {
            return new KeyValuePair<string, Action<object>>(name, instance =>
            {
                object result = method.Invoke(method.IsStatic ? null : instance, arguments);
                var task = result as System.Threading.Tasks.Task;
                if (task != null) task.GetAwaiter().GetResult();
            });
        }

        private static IEnumerable Source(Type fixture, string name)
        {
            const BindingFlags any = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance;
            MethodInfo m = fixture.GetMethod(name, any, null, Type.EmptyTypes, null);
            if (m != null) return (IEnumerable)m.Invoke(m.IsStatic ? null : Activator.CreateInstance(fixture), null);
            PropertyInfo p = fixture.GetProperty(name, any);
            if (p != null) return (IEnumerable)p.GetValue(p.GetGetMethod(true).IsStatic ? null : Activator.CreateInstance(fixture), null);
            FieldInfo f = fixture.GetField(name, any);
            if (f != null) return (IEnumerable)f.GetValue(f.IsStatic ? null : Activator.CreateInstance(fixture));
            throw new MissingMemberException(fixture.FullName, name);
        }

        private static void Fail(string name, string why)
        {
            failed++;
            Console.Write("F");
            Failures.Add("FAILED " + name + ": " + why);
        }

        // The test's own exception (an NUnit AssertionException, IgnoreException, … counts as a failure).
        private static string Unwrap(Exception e)
        {
            while (e is TargetInvocationException && e.InnerException != null) e = e.InnerException;
            return e.GetType().Name + ": " + e.Message + "\n" + e.StackTrace;
        }

        private static bool Has(MemberInfo member, string attributeName)
        {
            return member.GetCustomAttributes(true).Any(a => a.GetType().Name == attributeName);
        }

        private static object Prop(object o, string name)
        {
            PropertyInfo p = o.GetType().GetProperty(name);
            return p == null ? null : p.GetValue(o, null);
        }

        private static string Show(object o)
        {
            if (o == null) return "null";
            return o is string ? "\"" + o + "\"" : o.ToString();
        }
    }
}
