// The options' Logger (issue 22, item 5): one record per HTTP exchange, never a secret in it.

using System;
using System.Collections.Generic;
using System.Linq;
using NUnit.Framework;

namespace CookiePay.Tests
{
    [TestFixture]
    public class LoggerTests
    {
        private Sandbox sandbox;

        [TestFixtureSetUp]
        public void StartSandbox()
        {
            sandbox = new Sandbox();
        }

        [TestFixtureTearDown]
        public void StopSandbox()
        {
            if (sandbox != null) sandbox.Dispose();
        }

        [Test]
        public void EveryExchangeIsLoggedWithoutASecret()
        {
            var records = new List<IDictionary<string, object>>();
            var options = sandbox.Options();
            options.Logger = record => { lock (records) records.Add(record); };
            var request = Sandbox.Subscription(7700);
            string billkey, token;
            using (var client = new CookiePayClient(options))
            {
                var signUp = client.Billkeygen(request);
                billkey = signUp.BillKey;
                client.RecurringCharge(signUp.ReserveId, billkey);
                token = client.Token().Token;
            }
            Assert.IsNotNull(billkey);
            Assert.IsNotNull(token);

            var charges = records.Where(r => (string)r["operation"] == "recurring_charge"
                && (string)r["path"] == "/Subscribe/recurrence_request_payment").ToList();
            Assert.AreEqual(1, charges.Count, "one record per exchange: " + Json.Write(records));
            var charge = charges[0];
            Assert.AreEqual("POST", charge["method"]);
            Assert.AreEqual(200L, Convert.ToInt64(charge["status"]));
            Assert.AreEqual(1L, Convert.ToInt64(charge["attempt"]));
            Assert.AreEqual("answered", charge["outcome"]);
            Assert.GreaterOrEqual(Convert.ToInt64(charge["duration_ms"]), 0L);
            Assert.AreEqual(false, charge["may_have_taken_effect"]);
            Assert.IsTrue(records.Any(r => (string)r["operation"] == "billkeygen"));

            string all = Json.Write(records);
            foreach (var secret in new[] { Sandbox.ApiKey, token, billkey, (string)request["CARDNO"], Sandbox.BirthDate })
                StringAssert.DoesNotContain(secret, all);
            StringAssert.DoesNotContain("CARD", all);
        }

        [Test]
        public void AThrowingLoggerBreaksNoCall()
        {
            int calls = 0;
            var options = sandbox.Options();
            options.Logger = record => { calls++; throw new InvalidOperationException("logger down"); };
            using (var client = new CookiePayClient(options))
            {
                Assert.IsNotNull(client.Token(true).Token);
            }
            Assert.AreEqual(1, calls);
        }
    }
}
