// The example shop's subscriptions (examples/dotnet/SubscriptionController.cs) against a sandbox this
// fixture starts: one way per subscription (CookiePay's schedule or the shop's job, never both), and a
// cycle whose payment is known is never charged again (issue 21, item 2).

using System;
using System.Collections.Generic;
using System.Threading;
using NUnit.Framework;
using Shop.Controllers;

namespace CookiePay.Tests
{
    [TestFixture]
    public class ExampleShopTests
    {
        private Sandbox sandbox;
        private CookiePayClient client;
        private NotiSink notis;

        [TestFixtureSetUp]
        public void StartSandbox()
        {
            sandbox = new Sandbox();
            client = sandbox.Client();
            notis = new NotiSink();
            sandbox.NotiUrl(notis.Url);
        }

        [TestFixtureTearDown]
        public void StopSandbox()
        {
            if (notis != null) notis.Dispose();
            if (client != null) client.Dispose();
            if (sandbox != null) sandbox.Dispose();
        }

        [SetUp]
        public void ClearFaultsAndStats()
        {
            sandbox.Reset();
        }

        private static ChargeRow SignUp(SubscriptionController shop, ChargeTable charges)
        {
            string answer = shop.SignUp("홍길동", "buyer@example.com", 9900, "05", Sandbox.CardOk, Sandbox.FutureExpiry(), Sandbox.BirthDate, Sandbox.CardPassword);
            ChargeRow row = charges.Get("C1");   // the first row of a fresh table: the sign-up
            Assert.AreEqual("paid", row.Status, answer);
            return row;
        }

        /// <summary>The Noti CookiePay sent for a cycle of a schedule (waits for that event, up to 30 s).</summary>
        private byte[] NotiOfCycle(string reserveId, string payCount)
        {
            DateTime deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline)
            {
                foreach (byte[] body in notis.WaitFor(0))
                {
                    Noti noti = CookiePayClient.ParseNoti(body);
                    if (noti.ReserveId == reserveId && noti.PayCount == payCount && noti.ResultCode == "0000") return body;
                }
                Thread.Sleep(50);
            }
            Assert.Fail("no Noti of cycle " + payCount + " of " + reserveId);
            return null;
        }

        [Test]
        public void SigningUpWithAScheduleMarksTheModeAndTheShopRefusesToChargeItsCycles()
        {
            var charges = new ChargeTable();
            var shop = new SubscriptionController(client, charges);
            ChargeRow signUp = SignUp(shop, charges);
            Assert.AreEqual("schedule", charges.ModeOf(signUp.ReserveId));
            sandbox.Reset();

            string own = charges.CreatePending("cycle", 9900, signUp.ReserveId, signUp.BillKey, signUp.Tag).Id;
            string answer = shop.ChargeCycle(own);
            StringAssert.StartsWith("refused", answer);
            StringAssert.Contains("schedule", answer);
            Assert.AreEqual("refused", charges.Get(own).Status);
            Assert.AreEqual(0, sandbox.Requests("recurring_charge"), "CookiePay was not asked");
            StringAssert.StartsWith("skip", shop.ChargeCycle(own));
            Assert.AreEqual(0, sandbox.Requests("recurring_charge"));
        }

        [Test]
        public void ARetryOfACycleAlreadyPaidIsNotCharged()
        {
            var charges = new ChargeTable();
            var shop = new SubscriptionController(client, charges);
            ChargeRow signUp = SignUp(shop, charges);
            sandbox.Reset();
            string retry = charges.CreateRetry(signUp, "1").Id;   // cycle 1: billkeygen's own charge
            Console.WriteLine(shop.ChargeCycle(retry));
            Assert.AreEqual("paid", charges.Get(retry).Status);
            Assert.AreEqual(signUp.Tid, charges.Get(retry).Tid);
            Assert.AreEqual(0, sandbox.Requests("recurring_charge"));
        }

        /// <summary>
        /// Issue 21 item 2: the retry's answer is cut off (unknown), its genuine Noti is recorded, and settling
        /// must take that known payment as the cycle's — not conclude "not charged" because every payment
        /// Paysearch lists is already known, and charge the cycle again.
        /// </summary>
        [Test]
        public void AnUnknownChargeWhosePaymentANotiRecordedIsSettledNotChargedAgain()
        {
            var charges = new ChargeTable();
            var shop = new SubscriptionController(client, charges);
            ChargeRow signUp = SignUp(shop, charges);
            string retry = charges.CreateRetry(signUp, "2").Id;
            sandbox.Reset();
            sandbox.Fault("recurring_charge", "truncate", 1);
            StringAssert.StartsWith("outcome unknown", shop.ChargeCycle(retry));
            Assert.AreEqual("unknown", charges.Get(retry).Status);

            string recorded = shop.Noti(NotiOfCycle(signUp.ReserveId, "2"));
            StringAssert.Contains(": recorded", recorded);

            var answers = new List<string> { shop.Settle(retry, TimeSpan.Zero), shop.ChargeCycle(retry), shop.Settle(retry, TimeSpan.Zero), shop.ChargeCycle(retry) };
            string all = string.Join("\n", answers.ToArray());
            Assert.AreEqual(1, sandbox.Requests("recurring_charge"), "one cycle, one charge:\n" + all);
            Assert.AreEqual("paid", charges.Get(retry).Status, all);
            Assert.AreEqual(charges.CyclePayment(signUp.ReserveId, "2"), charges.Get(retry).Tid);
        }
    }
}
