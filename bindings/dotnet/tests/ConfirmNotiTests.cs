// ConfirmNoti against a sandbox this fixture starts: the sandbox's own Notis (read from what it sent),
// replayed as they are or forged. Only paycert's answer ever comes back.

using System.Collections.Generic;
using System.Linq;
using System.Text;
using NUnit.Framework;

namespace CookiePay.Tests
{
    [TestFixture]
    public class ConfirmNotiTests
    {
        private Sandbox sandbox;
        private CookiePayClient client;

        [TestFixtureSetUp]
        public void StartSandbox()
        {
            sandbox = new Sandbox();
            client = sandbox.Client();
        }

        [TestFixtureTearDown]
        public void StopSandbox()
        {
            if (client != null) client.Dispose();
            if (sandbox != null) sandbox.Dispose();
        }

        [SetUp]
        public void NotisToNowhere()
        {
            sandbox.Reset();
            // Nobody listens there: the sandbox still keeps what it sent (/_sandbox/notis).
            sandbox.NotiUrl("http://127.0.0.1:1/noti");
        }

        [TearDown]
        public void NotisOff()
        {
            sandbox.Control("POST", "/_sandbox/noti", new Dictionary<string, object> { { "url", null } });
        }

        /// <summary>The body of the one Noti the sandbox sent as <paramref name="kind"/> about <paramref name="tid"/>.</summary>
        private Dictionary<string, object> SentNoti(string kind, string tid)
        {
            var found = new List<Dictionary<string, object>>();
            foreach (IDictionary<string, object> noti in (IList<object>)sandbox.Notis()["notis"])
            {
                var body = (IDictionary<string, object>)noti["body"];
                if ((string)noti["kind"] == kind && Field.Str(body, "TID") == tid) found.Add(new Dictionary<string, object>(body));
            }
            Assert.AreEqual(1, found.Count, kind + " Notis of " + tid);
            return found[0];
        }

        private static Dictionary<string, object> With(Dictionary<string, object> body, string field, object value)
        {
            var copy = new Dictionary<string, object>(body);
            copy[field] = value;
            return copy;
        }

        private CookiePayNotiNotConfirmedException Refused(Dictionary<string, object> body, string reason)
        {
            var e = Assert.Throws<CookiePayNotiNotConfirmedException>(() => client.ConfirmNoti(Json.Write(body)));
            Assert.AreEqual(reason, e.Reason, e.ErrorJson);
            Assert.AreEqual("noti_not_confirmed", e.Kind);
            return e;
        }

        [Test]
        public void AGenuinePaymentNotiComesBackAsPaycertsAnswer()
        {
            var order = Sandbox.Order(2500);
            string tid = sandbox.Pay(client, order).Tid;
            var body = SentNoti("payment", tid);

            var confirmed = client.ConfirmNoti(Encoding.UTF8.GetBytes(Json.Write(body)));

            Assert.IsTrue(confirmed.IsPayment);
            Assert.AreEqual("payment:" + tid, confirmed.DedupKey);
            var cert = client.Paycert(tid);
            CollectionAssert.AreEquivalent(cert.Data.Keys.Concat(new[] { "kind", "dedup_key" }), confirmed.Data.Keys);
            foreach (var pair in cert.Data) Assert.AreEqual(pair.Value, confirmed.Data[pair.Key], pair.Key);
            foreach (var onlyInBody in new[] { "ETC1", "QUOTA", "CARDNO", "API_ID" })
            {
                Assert.IsTrue(body.ContainsKey(onlyInBody), "the sandbox's Noti has " + onlyInBody);
                Assert.IsFalse(confirmed.Has(onlyInBody), onlyInBody + " came from the body");
            }
        }

        [Test]
        public void AForgedAmountOrOrderNumberIsRefused()
        {
            var order = Sandbox.Order(2500);
            string tid = sandbox.Pay(client, order).Tid;
            var genuine = SentNoti("payment", tid);

            var e = Refused(With(genuine, "AMOUNT", "25"), "mismatch");
            Assert.AreEqual(1, e.Mismatches.Count);
            Assert.AreEqual("AMOUNT", e.Mismatches[0].Field);
            Assert.AreEqual("25", e.Mismatches[0].Expected);
            Assert.AreEqual("2500", e.Mismatches[0].Actual);

            e = Refused(With(genuine, "ORDERNO", "SOMEONE-ELSES"), "mismatch");
            Assert.AreEqual("ORDERNO", e.Mismatches[0].Field);
            Assert.AreEqual(order["ORDERNO"], e.Mismatches[0].Actual);

            // Naming only the TID confirms: to CookiePay's amount, not a claimed one.
            Assert.AreEqual("2500", client.ConfirmNoti("{\"TID\":\"" + tid + "\"}").Amount);
        }

        [Test]
        public void UnknownOrMissingTidsAreNotConfirmed()
        {
            var e = Refused(new Dictionary<string, object> { { "TID", "SBX-NO-SUCH-TID" }, { "ORDERNO", "A1" }, { "AMOUNT", "1000" } }, "unknown_tid");
            Assert.IsFalse(string.IsNullOrEmpty(e.Code));
            Assert.AreNotEqual("0000", e.Code);
            // A declined recurring charge's Noti has no TID: nothing in it can be confirmed.
            Refused(new Dictionary<string, object> { { "RESERVE_ID", "r1" }, { "PAY_CNT", "9" }, { "TID", "" }, { "RESULTCODE", "C001" } }, "no_tid");
            Assert.Throws<CookiePayValidationException>(() => client.ConfirmNoti((string)null));
            Assert.Throws<CookiePayInvalidArgumentException>(() => client.ConfirmNoti(new byte[] { 0x7B, 0xFF, 0x7D }));
        }

        [Test]
        public void KindCancelOnlyWhenPaycertShowsTheCancellation()
        {
            string tid = sandbox.Pay(client, Sandbox.Order(3000)).Tid;
            var approval = SentNoti("payment", tid);

            Refused(With(With(approval, "CANCELDATE", "20260101120000"), "CANCELMSG", "취소"), "not_cancelled");

            client.Cancel(tid, "환불");
            var cancelled = client.ConfirmNoti(Json.Write(SentNoti("cancel", tid)));
            Assert.IsTrue(cancelled.IsCancel);
            Assert.AreEqual("cancel:" + tid + ":" + client.Paycert(tid).CancelDate, cancelled.DedupKey);
            Assert.IsFalse(cancelled.Has("CANCEL_AMT"), "CANCEL_AMT came from the body");
            // The approval's Noti, delivered late, is what CookiePay now shows: a cancelled payment.
            Assert.AreEqual(cancelled.DedupKey, client.ConfirmNoti(Json.Write(approval)).DedupKey);
        }
    }
}
