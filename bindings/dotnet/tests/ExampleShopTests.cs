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

        /// <summary>A sign-up through the controller; <paramref name="rowId"/> is the row it makes ("C1" in a fresh table).</summary>
        private static ChargeRow SignUp(SubscriptionController shop, ChargeTable charges, string rowId = "C1")
        {
            string answer = shop.SignUp("홍길동", "buyer@example.com", 9900, "05", Sandbox.CardOk, Sandbox.FutureExpiry(), Sandbox.BirthDate, Sandbox.CardPassword);
            ChargeRow row = charges.Get(rowId);
            Assert.AreEqual("paid", row.Status, answer);
            return row;
        }

        /// <summary>CookiePay charges a cycle of the subscription now; returns the genuine Noti it sent about it.</summary>
        private byte[] GenuineChargeNoti(ChargeRow signUp)
        {
            Payment payment = client.RecurringCharge(signUp.ReserveId, signUp.BillKey);
            return NotiOfCycle(signUp.ReserveId, payment.PayCount);
        }

        /// <summary>The Noti's JSON with some fields replaced: what anyone could post.</summary>
        private static byte[] Forge(byte[] genuine, Dictionary<string, object> changes)
        {
            var fields = (IDictionary<string, object>)Json.Parse(System.Text.Encoding.UTF8.GetString(genuine));
            foreach (var change in changes) fields[change.Key] = change.Value;
            return System.Text.Encoding.UTF8.GetBytes(Json.Write(fields));
        }

        private static bool Recorded(ChargeTable charges, string reserveId, string tid)
        {
            foreach (string payCount in new[] { "1", "2", "3", "4", "5" })
                if (charges.CyclePayment(reserveId, payCount) == tid) return true;
            return false;
        }

        /// <summary>(a) A "declined" Noti anyone can post, for a cycle that has not even come, charges nothing.</summary>
        [Test]
        public void AForgedDeclineWithANewCycleChargesNothing()
        {
            var charges = new ChargeTable();
            var shop = new SubscriptionController(client, charges);
            ChargeRow signUp = SignUp(shop, charges);
            sandbox.Reset();
            var forged = new Dictionary<string, object>
            {
                { "API_ID", Sandbox.ApiId }, { "RESERVE_ID", signUp.ReserveId }, { "RESERVE_ORDERNO", signUp.OrderNo }, { "BILLKEY", signUp.BillKey },
                { "ORDERNO", "" }, { "TID", "" }, { "AMOUNT", "9900" }, { "PAY_CNT", "7" }, { "TRY_CNT", "1" },
                { "RESULTCODE", "C001" }, { "RESULTMSG", "한도초과" },
            };
            string answer = shop.Noti(System.Text.Encoding.UTF8.GetBytes(Json.Write(forged)));
            StringAssert.DoesNotContain("queued", answer);
            Assert.AreEqual(0, charges.Count("retry", "pending"), answer);
            Assert.AreEqual(0, sandbox.Requests("recurring_charge"));
        }

        /// <summary>
        /// (b) A genuine payment of ANOTHER subscription (same amount) posted with this one's RESERVE_ID does not
        /// join this one; it joins the one CookiePay's own answer ties it to.
        /// </summary>
        [Test]
        public void APaymentJoinsOnlyTheSubscriptionCookiePayTiesItTo()
        {
            var charges = new ChargeTable();
            var shop = new SubscriptionController(client, charges);
            ChargeRow mine = SignUp(shop, charges, "C1");
            ChargeRow other = SignUp(shop, charges, "C2");
            byte[] genuine = GenuineChargeNoti(other);
            string tid = CookiePayClient.ParseNoti(genuine).Tid;
            byte[] forged = Forge(genuine, new Dictionary<string, object>
                { { "RESERVE_ID", mine.ReserveId }, { "RESERVE_ORDERNO", mine.OrderNo }, { "BILLKEY", mine.BillKey } });

            string answer = shop.Noti(forged);
            Assert.IsFalse(Recorded(charges, mine.ReserveId, tid), "another subscription's payment joined this one: " + answer);
            answer = shop.Noti(genuine);
            Assert.IsTrue(Recorded(charges, other.ReserveId, tid), "the genuine Noti was not recorded: " + answer);
            Assert.IsFalse(Recorded(charges, mine.ReserveId, tid));
        }

        /// <summary>(c) A forged Noti carrying a genuine Noti's dedup key (its TID) does not block the genuine one.</summary>
        [Test]
        public void AForgedNotiWithAGenuineKeyDoesNotBlockTheRealOne()
        {
            var charges = new ChargeTable();
            var shop = new SubscriptionController(client, charges);
            ChargeRow signUp = SignUp(shop, charges);
            byte[] genuine = GenuineChargeNoti(signUp);
            string tid = CookiePayClient.ParseNoti(genuine).Tid;
            byte[] forged = Forge(genuine, new Dictionary<string, object> { { "ORDERNO", "SRS77777777777777777777" }, { "AMOUNT", "99000" } });
            Assert.AreEqual(CookiePayClient.ParseNoti(genuine).DedupKey, CookiePayClient.ParseNoti(forged).DedupKey);

            string answer = shop.Noti(forged);
            Assert.IsFalse(Recorded(charges, signUp.ReserveId, tid), "recorded from a forged Noti: " + answer);
            answer = shop.Noti(genuine);
            StringAssert.Contains(": recorded", answer);
            Assert.IsTrue(Recorded(charges, signUp.ReserveId, tid));
            StringAssert.StartsWith("duplicate", shop.Noti(genuine), "the genuine one, once");
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
