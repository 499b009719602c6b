// The subscription lifecycle (issue 10) against a sandbox this fixture starts: billing keys and
// schedules, recurring charges over a year of the sandbox's clock, ending a subscription, refunds,
// payment search, receipts, the raw request, Notis, and money calls under faults.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace CookiePay.Tests
{
    [TestFixture]
    public class LifecycleTests
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
        public void ClearFaultsAndStats()
        {
            sandbox.Reset();
        }

        private CookiePayClient ImpatientClient(int timeoutMs)
        {
            var options = sandbox.Options();
            options.MaxRetries = 0;
            options.TimeoutMs = timeoutMs;
            return new CookiePayClient(options);
        }

        /// <summary>
        /// Every text a shop could log or see in a debugger for a result or an exception holds no card data:
        /// the card number (as given and as digits) nowhere; the birth date, expiry and password neither as
        /// the value of their field nor in any message. (A 4-digit expiry can occur inside a timestamp or a
        /// TID by chance, so it is not searched for in every text.)
        /// </summary>
        internal static void AssertNoCardData(Dictionary<string, object> request, params object[] things)
        {
            string cardNo = (string)request["CARDNO"];
            string digits = Regex.Replace(cardNo, "[^0-9]", "");
            var anywhere = new List<string> { cardNo, digits };
            var inMessages = new List<string> { cardNo, digits, (string)request["CARDAUTH"], (string)request["EXPIREDT"] };
            if (((string)request["CARDPWD"]).Length >= 3) inMessages.Add((string)request["CARDPWD"]);
            var asValues = new List<string>();
            foreach (string field in new[] { "CARDNO", "CARDAUTH", "EXPIREDT", "CARDPWD" })
                asValues.Add("\"" + field + "\":\"" + request[field] + "\"");
            asValues.Add("\"CARDNO\":\"" + digits + "\"");

            foreach (object thing in things)
            {
                string name = thing.GetType().Name;
                var texts = new List<string> { thing.ToString(), DebuggerText(thing) };
                var messages = new List<string> { thing.ToString(), DebuggerText(thing) };
                var e = thing as CookiePayException;
                if (e != null)
                {
                    texts.Add(e.ErrorJson);
                    texts.Add(Json.Write(e.Error));
                    messages.Add(e.Message);
                    object apiMessage;
                    if (e.Error.TryGetValue("api_message", out apiMessage) && apiMessage is string) messages.Add((string)apiMessage);
                    var validation = e as CookiePayValidationException;
                    if (validation != null) foreach (var f in validation.Fields) messages.Add(f.ToString());
                }
                var result = thing as CookiePayResult;
                if (result != null)
                {
                    texts.Add(result.RawJson);
                    texts.Add(Json.Write(result.Data));
                }
                foreach (string text in texts)
                {
                    foreach (string secret in anywhere) StringAssert.DoesNotContain(secret, text, name + " shows the card number");
                    foreach (string value in asValues) StringAssert.DoesNotContain(value, text, name + " shows a card field's value");
                }
                foreach (string text in messages)
                    foreach (string secret in inMessages) StringAssert.DoesNotContain(secret, text, name + "'s message shows card data");
            }
        }

        /// <summary>What a debugger shows for the object: its [DebuggerDisplay] evaluated the way this
        /// binding declares it (a property of the object, or GetType().Name/Kind/Message for exceptions).</summary>
        internal static string DebuggerText(object thing)
        {
            var attribute = (System.Diagnostics.DebuggerDisplayAttribute)Attribute.GetCustomAttribute(
                thing.GetType(), typeof(System.Diagnostics.DebuggerDisplayAttribute), true);
            Assert.IsNotNull(attribute, thing.GetType().Name + " has a [DebuggerDisplay]");
            return Regex.Replace(attribute.Value, @"\{([^},]+)(,nq)?\}", m =>
            {
                string member = m.Groups[1].Value;
                if (member == "GetType().Name") return thing.GetType().Name;
                var property = thing.GetType().GetProperty(member,
                    System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic);
                Assert.IsNotNull(property, "[DebuggerDisplay] names " + member);
                return Convert.ToString(property.GetValue(thing, null), CultureInfo.InvariantCulture);
            });
        }

        private static List<string> FieldNames(CookiePayValidationException e)
        {
            var names = new List<string>();
            foreach (var f in e.Fields) names.Add(f.Field);
            return names;
        }

        // ---- sign-up: billing key, first charge, schedule ----

        [Test]
        public void BillkeygenChargesAndSchedules()
        {
            using (var fresh = sandbox.PrivateClient())
            {
                var request = Sandbox.Subscription(9900);
                var signUp = fresh.Billkeygen(request);
                Assert.IsTrue(signUp.Charged);
                Assert.AreEqual(true, signUp.Scheduled);
                Assert.AreEqual("0000", signUp.ResultCode);
                Assert.AreEqual(request["ORDERNO"], signUp.OrderNo);
                Assert.AreEqual("9900", signUp.Amount);
                Assert.IsNotNullOrEmpty(signUp.BillKey);
                Assert.IsNotNullOrEmpty(signUp.Tid);
                Assert.IsNotNullOrEmpty(signUp.ReserveId);
                Assert.AreEqual("0000", signUp.ReserveResultCode);
                StringAssert.IsMatch(@"^\d{4}-\d{2}-\d{2}$", signUp.ReserveNextPayDate);
                Assert.AreEqual("구독 ✓", signUp["ETC1"], "한글 survives billkeygen");

                Assert.AreEqual(1, sandbox.Requests("billkeygen"));
                Assert.AreEqual(1, sandbox.Requests("token"), "a fresh TOKEN for the money call");

                // The first charge is a real payment: paycert agrees with the order.
                var verified = fresh.Verify(signUp.Tid, (string)request["ORDERNO"], 9900);
                Assert.AreEqual(signUp.Tid, verified.Tid);

                StringAssert.DoesNotContain(signUp.BillKey, signUp.ToString());
                AssertNoCardData(request, signUp, verified);

                // paycert used the cached TOKEN; the next money call fetches a fresh one again.
                Assert.AreEqual(1, sandbox.Requests("token"));
                fresh.Billkeygen(Sandbox.Subscription(1000, schedule: false));
                Assert.AreEqual(2, sandbox.Requests("token"), "every money call fetches its own TOKEN");
            }
        }

        [Test]
        public void BillkeygenWithoutScheduleSaysNull()
        {
            var request = Sandbox.Subscription(5000, schedule: false);
            var result = client.Billkeygen(request);
            Assert.IsTrue(result.Charged);
            Assert.IsNull(result.Scheduled, "no schedule was asked for");
            Assert.IsFalse(result.Has("scheduled") && result.GetValue("scheduled") != null);
            Assert.IsNotNullOrEmpty(result.BillKey);
        }

        [Test]
        public void ChargedButNotScheduledIsStillASuccess()
        {
            // An impossible pay day: CookiePay charges the card, then refuses the schedule.
            var request = Sandbox.Subscription(7700);
            request["PAY_DAY"] = "45";
            var result = client.Billkeygen(request);
            Assert.IsTrue(result.Charged, "the card was charged: the shop must not charge again");
            Assert.AreEqual(false, result.Scheduled);
            Assert.IsNotNullOrEmpty(result.ReserveResultCode);
            Assert.AreNotEqual("0000", result.ReserveResultCode);
            Assert.IsNotNullOrEmpty(result.ReserveResultMsg);
            Assert.IsNotNullOrEmpty(result.Tid);
            Assert.AreEqual("7700", client.Paycert(result.Tid).Amount, "the charge exists");
            Assert.AreEqual(1, sandbox.Requests("billkeygen"));
        }

        [Test]
        public void DeclinedCardIsAnApiErrorWithoutCardData()
        {
            var request = Sandbox.Subscription(9900, Sandbox.CardLimit);
            var e = Assert.Throws<CookiePayApiException>(() => client.Billkeygen(request));
            Assert.AreEqual("api", e.Kind);
            Assert.AreEqual("C001", e.Code);
            Assert.IsNotNullOrEmpty(e.ApiMessage);
            Assert.IsFalse(e.OutcomeUnknown, "a decline is an answer");
            AssertNoCardData(request, e);
            Assert.AreEqual(1, sandbox.Requests("billkeygen"));
        }

        [Test]
        public void BillkeygenValidationNamesEveryCardFieldAndSendsNothing()
        {
            var request = Sandbox.Subscription(9900, "4111111111111112");   // Luhn fails
            request["EXPIREDT"] = "2001";                                   // January 2020: past
            request["CARDAUTH"] = "90010";                                  // 5 digits
            request["CARDPWD"] = "123";                                     // 3 digits
            var e = Assert.Throws<CookiePayValidationException>(() => client.Billkeygen(request));
            Assert.AreEqual("validation", e.Kind);
            CollectionAssert.IsSubsetOf(new[] { "CARDNO", "EXPIREDT", "CARDAUTH", "CARDPWD" }, FieldNames(e));
            foreach (var f in e.Fields)
            {
                Assert.IsNotNullOrEmpty(f.Rule);
                Assert.IsNotNullOrEmpty(f.Message);
            }
            Assert.AreEqual(0, sandbox.AllRequests(), "no request at all, not even a TOKEN");
            AssertNoCardData(request, e);
            foreach (var f in e.Fields) StringAssert.DoesNotContain("90010", f.ToString());

            // Each rule alone, so that none hides behind another.
            var cases = new Dictionary<string, KeyValuePair<string, string>>
            {
                { "CARDNO", new KeyValuePair<string, string>("CARDNO", "4111111111111112") },
                { "EXPIREDT", new KeyValuePair<string, string>("EXPIREDT", DateTime.UtcNow.AddMonths(-2).ToString("yyMM", CultureInfo.InvariantCulture)) },
                { "CARDAUTH", new KeyValuePair<string, string>("CARDAUTH", "90010") },
                { "CARDPWD", new KeyValuePair<string, string>("CARDPWD", "123") },
            };
            foreach (var c in cases)
            {
                var one = Sandbox.Subscription(9900);
                one[c.Value.Key] = c.Value.Value;
                var single = Assert.Throws<CookiePayValidationException>(() => client.Billkeygen(one), c.Key);
                CollectionAssert.AreEqual(new[] { c.Key }, FieldNames(single), "only " + c.Key + " is wrong");
                AssertNoCardData(one, single);
            }
            // A 10-digit business number is a valid CARDAUTH (checked by the sandbox accepting it below).
            Assert.AreEqual(0, sandbox.AllRequests());
            var business = Sandbox.Subscription(1000, schedule: false);
            business["CARDAUTH"] = "1234567890";
            Assert.IsTrue(client.Billkeygen(business).Charged);
        }

        [Test]
        public void ARevokedTokenCannotMakeAChargeFail()
        {
            var signUp = client.Billkeygen(Sandbox.Subscription(9900));
            client.Paycert(signUp.Tid);   // the client now holds a cached TOKEN…
            sandbox.Control("POST", "/_sandbox/tokens/revoke", new Dictionary<string, object>());   // …that CookiePay rejects
            sandbox.Reset();
            var charge = client.RecurringCharge(signUp.ReserveId, signUp.BillKey);
            Assert.AreEqual("0000", charge.ResultCode);
            Assert.AreEqual(1, sandbox.Requests("token"), "the money call fetched its own TOKEN");
            Assert.AreEqual(1, sandbox.Requests("recurring_charge"), "and was sent once");
        }

        // ---- charging a schedule ----

        [Test]
        public void RecurringChargeNowChargesTheSchedule()
        {
            var request = Sandbox.Subscription(9900);
            var signUp = client.Billkeygen(request);
            sandbox.Reset();
            var charge = client.RecurringCharge(signUp.ReserveId, signUp.BillKey);
            Assert.AreEqual("0000", charge.ResultCode);
            Assert.AreEqual("9900", charge.Amount);
            StringAssert.StartsWith("SRS", charge.OrderNo, "CookiePay makes each charge's ORDERNO");
            Assert.AreNotEqual(signUp.Tid, charge.Tid);
            Assert.AreEqual(signUp.ReserveId, charge.ReserveId);
            Assert.AreEqual("2", charge.PayCount);
            StringAssert.IsMatch(@"^\d{4}-\d{2}-\d{2}$", charge.NextPayDate);
            Assert.AreEqual(charge["ACCEPT_NO"], charge["ACCEPTNO"], "both spellings");
            Assert.AreEqual(1, sandbox.Requests("recurring_charge"));
            Assert.AreEqual(charge.Tid, client.Paycert(charge.Tid).Tid);
            AssertNoCardData(request, charge);
        }

        [Test]
        public void RecurringChargeDeclinedIsAnInnerApiError()
        {
            // The dunning card approves the sign-up and the second charge, and declines the third.
            var signUp = client.Billkeygen(Sandbox.Subscription(4900, Sandbox.CardDunning));
            client.RecurringCharge(signUp.ReserveId, signUp.BillKey);
            var e = Assert.Throws<CookiePayApiException>(() => client.RecurringCharge(signUp.ReserveId, signUp.BillKey));
            Assert.AreEqual("inner", e.Layer);
            StringAssert.StartsWith("C", e.Code);
        }

        [Test]
        public void YearOfMonthlyChargesWithOneDeclinedCycle()
        {
            var request = Sandbox.Subscription(12900, Sandbox.CardDunning);
            var signUp = client.Billkeygen(request);
            Assert.AreEqual(true, signUp.Scheduled);

            // A year of the sandbox's clock, a month at a time; each move runs the charges that fell due.
            var approved = new List<string> { signUp.Tid };
            var declinedCycles = new List<string>();
            for (int month = 0; month < 12; month++)
            {
                foreach (var item in Field.List(sandbox.AdvanceDays(31), "charged"))
                {
                    var charge = (IDictionary<string, object>)item;
                    if ((string)charge["RESERVE_ID"] != signUp.ReserveId) continue;
                    if ((string)charge["RESULTCODE"] == "0000") approved.Add((string)charge["TID"]);
                    else declinedCycles.Add(Convert.ToString(charge["PAY_CNT"], CultureInfo.InvariantCulture));
                }
            }
            CollectionAssert.AreEqual(new[] { "3" }, declinedCycles, "the dunning card declines the third charge only");
            Assert.AreEqual(11, approved.Count, "sign-up + cycles 2..12 but the declined one");
            CollectionAssert.AllItemsAreUnique(approved);

            // Every approved charge is a payment CookiePay knows, with the schedule's amount.
            foreach (string tid in approved)
            {
                var found = client.Paysearch(tid);
                Assert.AreEqual(1, found.Payments.Count, tid);
                Assert.AreEqual("12900", found.Payments[0].Amount);
            }

            var subscription = FindSubscription(signUp.ReserveId);
            Assert.AreEqual("completed", subscription["status"], "cycle 12 of 12 ran");
            var unpaid = Field.List(subscription, "unpaid");
            Assert.AreEqual(1, unpaid.Count);
            Assert.AreEqual("3", Convert.ToString(((IDictionary<string, object>)unpaid[0])["PAY_CNT"], CultureInfo.InvariantCulture));

            // Dunning: charging the schedule now collects the declined cycle.
            var recovered = client.RecurringCharge(signUp.ReserveId, signUp.BillKey);
            Assert.AreEqual("3", recovered.PayCount);
            Assert.AreEqual("12900", recovered.Amount);
            Assert.AreEqual(0, Field.List(FindSubscription(signUp.ReserveId), "unpaid").Count);
            var nothingLeft = Assert.Throws<CookiePayApiException>(() => client.RecurringCharge(signUp.ReserveId, signUp.BillKey));
            Assert.AreEqual("E065", nothingLeft.Code, "a completed schedule with nothing unpaid");
        }

        private IDictionary<string, object> FindSubscription(string reserveId)
        {
            foreach (var item in Field.List(sandbox.Subscriptions(), "subscriptions"))
            {
                var s = (IDictionary<string, object>)item;
                if ((string)s["RESERVE_ID"] == reserveId) return s;
            }
            Assert.Fail("no subscription " + reserveId + " in /_sandbox/subscriptions");
            return null;
        }

        // ---- ending a subscription ----

        [Test]
        public void ScheduleCancelTwiceThenChargeAndDeleteTheKey()
        {
            var signUp = client.Billkeygen(Sandbox.Subscription(9900));

            var first = client.ScheduleCancel(signUp.ReserveId);
            Assert.IsFalse(first.AlreadyCancelled);
            Assert.IsNull(first.CancelledAt);

            var second = client.ScheduleCancel(signUp.ReserveId);
            Assert.IsTrue(second.AlreadyCancelled, "E103 is not an error");
            StringAssert.IsMatch(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", second.CancelledAt);

            var e = Assert.Throws<CookiePayApiException>(() => client.RecurringCharge(signUp.ReserveId, signUp.BillKey));
            Assert.AreEqual("E103", e.Code, "a cancelled schedule cannot be charged");

            var deleted = client.BillkeyDelete(signUp.BillKey);
            Assert.AreEqual("0000", deleted.ResultCode);
            Assert.AreEqual(2, sandbox.Requests("schedule_cancel"));
            Assert.AreEqual(1, sandbox.Requests("billkey_delete"));
        }

        // ---- refunds ----

        [Test]
        public void PartialThenOverRefundThenAlreadyCancelled()
        {
            var signUp = client.Billkeygen(Sandbox.Subscription(10000, schedule: false));

            var partial = client.Cancel(signUp.Tid, "부분 환불", 3000);
            Assert.AreEqual("0000", partial.CancelCode);
            Assert.AreEqual("3000", partial.CancelAmount);
            Assert.IsFalse(partial.AlreadyCancelled);
            Assert.IsNotNullOrEmpty(partial.CancelTid);
            Assert.IsNotNullOrEmpty(partial.CancelDate);

            var over = Assert.Throws<CookiePayApiException>(() => client.Cancel(signUp.Tid, "너무 많이", 8000));
            Assert.AreNotEqual("0000", over.Code);
            Assert.IsFalse(over.OutcomeUnknown);

            var rest = client.Cancel(signUp.Tid, "나머지 환불");
            Assert.AreEqual("7000", rest.CancelAmount, "a cancel without amount refunds what is left");
            Assert.IsFalse(rest.AlreadyCancelled);

            var again = client.Cancel(signUp.Tid, "고객 요청");
            Assert.IsTrue(again.AlreadyCancelled, "이미 취소 is ok with already_cancelled");
            Assert.AreEqual(4, sandbox.Requests("cancel"));

            Assert.IsNotNullOrEmpty(client.Paycert(signUp.Tid).CancelDate);
        }

        [Test]
        public void SettledPaymentAnswers9029()
        {
            var signUp = client.Billkeygen(Sandbox.Subscription(9900, schedule: false));
            sandbox.Settle(signUp.Tid);
            var e = Assert.Throws<CookiePayApiException>(() => client.Cancel(signUp.Tid, "고객 요청"));
            Assert.AreEqual("9029", e.Code);
            StringAssert.Contains("입금후 취소", e.Message);
            StringAssert.Contains("입금후 취소", e.Hint);
            Assert.IsFalse(e.OutcomeUnknown, "an answer: nothing was refunded");
            Assert.IsNullOrEmpty(client.Paycert(signUp.Tid).CancelDate, "not cancelled");
        }

        // ---- payment search, receipt ----

        [Test]
        public void PaysearchByTidAndByDateRange()
        {
            var request = Sandbox.Subscription(8800, schedule: false);
            var signUp = client.Billkeygen(request);

            var byTid = client.Paysearch(signUp.Tid);
            Assert.AreEqual(1, byTid.Payments.Count);
            var row = byTid.Payments[0];
            Assert.AreEqual(signUp.Tid, row.Tid);
            Assert.AreEqual(request["ORDERNO"], row.OrderNo);
            Assert.AreEqual("8800", row.Amount);
            StringAssert.Contains(signUp.Tid, row.RawJson);
            Assert.IsFalse(byTid.IsEmpty);

            // Nothing found (CookiePay's E008) is an empty list.
            var none = client.Paysearch("SBX00000000000000000");
            Assert.IsTrue(none.IsEmpty);
            Assert.AreEqual(0, none.Payments.Count);

            // The sandbox's today (its clock may have been moved by other tests): the payment's own date.
            DateTime day = DateTime.ParseExact(row.AcceptDate.Substring(0, 8), "yyyyMMdd", CultureInfo.InvariantCulture);
            var byDay = client.Paysearch(day.AddDays(-1), day.AddDays(1));
            Assert.IsTrue(ContainsTid(byDay, signUp.Tid), "the date range finds the payment");
            Assert.IsTrue(client.Paysearch(new DateTime(2001, 1, 1), new DateTime(2001, 1, 2)).IsEmpty);
            AssertNoCardData(request, byTid, byDay);
        }

        private static bool ContainsTid(PaysearchResult result, string tid)
        {
            foreach (var p in result.Payments) if (p.Tid == tid) return true;
            return false;
        }

        [Test]
        public void ReceiptUrlNeedsNoNetwork()
        {
            const string tid = "SBX26112602375178897";
            string url = client.ReceiptUrl(tid);
            var uri = new Uri(url);
            Assert.AreEqual("/api/receipt", uri.AbsolutePath);
            StringAssert.StartsWith(sandbox.Url, url);
            var query = uri.Query.TrimStart('?');
            StringAssert.StartsWith("tid=", query);
            string encoded = Uri.UnescapeDataString(query.Substring(4));
            Assert.AreEqual(tid, Encoding.UTF8.GetString(Convert.FromBase64String(encoded)), "tid is Base64 of the TID");
            Assert.AreEqual(0, sandbox.AllRequests(), "no request");
        }

        // ---- the escape hatch ----

        [Test]
        public void RequestPostsToAnyPathWithTheAskedHeaders()
        {
            var signUp = client.Billkeygen(Sandbox.Subscription(6600, schedule: false));
            sandbox.Reset();

            var answer = client.Request("/api/paycert", new Dictionary<string, object> { { "tid", signUp.Tid } }, "token");
            Assert.AreEqual(200, answer.Status);
            Assert.AreEqual("0000", answer.BodyObject["RESULTCODE"]);
            Assert.AreEqual("6600", answer.BodyObject["AMOUNT"]);
            StringAssert.Contains(signUp.Tid, answer.BodyText);
            Assert.AreEqual(1, sandbox.Requests("paycert"));

            // Without the TOKEN header paycert refuses: the header list is what is sent.
            var bare = client.Request("/api/paycert", new Dictionary<string, object> { { "tid", signUp.Tid } });
            Assert.AreEqual(200, bare.Status);
            Assert.AreNotEqual("0000", bare.BodyObject["RESULTCODE"]);

            var missing = client.Request("/api/no-such-endpoint", new Dictionary<string, object>(), "api_key", "token");
            Assert.AreEqual(404, missing.Status);
            Assert.IsNotNull(missing.Body);
        }

        // ---- Notis ----

        [Test]
        public void ParseNotiTellsPaymentRecurringAndCancel()
        {
            using (var sink = new NotiSink())
            {
                sandbox.NotiUrl(sink.Url);
                try
                {
                    var subscribed = client.Billkeygen(Sandbox.Subscription(9900));             // recurring, PAY_CNT 1
                    var charge = client.RecurringCharge(subscribed.ReserveId, subscribed.BillKey); // recurring, PAY_CNT 2
                    var once = client.Billkeygen(Sandbox.Subscription(5500, schedule: false));   // payment
                    client.Cancel(once.Tid, "고객 요청", 2000);                                   // cancel

                    var byEvent = new Dictionary<string, Noti>();
                    var keys = new HashSet<string>();
                    var mine = new HashSet<string> { subscribed.Tid, charge.Tid, once.Tid };
                    foreach (byte[] body in sink.WaitFor(4))
                    {
                        var noti = CookiePayClient.ParseNoti(body);
                        if (!mine.Contains(noti.Tid)) continue;   // other tests' Notis still arriving
                        var again = CookiePayClient.ParseNoti(Encoding.UTF8.GetString(body));
                        Assert.AreEqual(noti.DedupKey, again.DedupKey, "the same Noti has the same key");
                        Assert.IsTrue(keys.Add(noti.DedupKey), "distinct Notis have distinct keys: " + noti.DedupKey);
                        byEvent[noti.Kind + ":" + noti.Tid] = noti;
                        StringAssert.DoesNotContain(Sandbox.CardOk, noti.RawJson);
                    }

                    Noti first, recurring, payment, cancel;
                    Assert.IsTrue(byEvent.TryGetValue("recurring:" + subscribed.Tid, out first), "a recurring Noti for the sign-up");
                    Assert.AreEqual("1", first.PayCount);
                    Assert.AreEqual(subscribed.ReserveId, first.ReserveId);
                    Assert.IsTrue(byEvent.TryGetValue("recurring:" + charge.Tid, out recurring), "a recurring Noti for the charge");
                    Assert.IsTrue(recurring.IsRecurring);
                    Assert.AreEqual("2", recurring.PayCount);
                    Assert.AreEqual("0000", recurring.ResultCode);
                    Assert.AreEqual("9900", recurring.Amount);
                    Assert.IsTrue(byEvent.TryGetValue("payment:" + once.Tid, out payment), "a payment Noti");
                    Assert.IsTrue(payment.IsPayment);
                    Assert.AreEqual("5500", payment.Amount);
                    Assert.IsTrue(byEvent.TryGetValue("cancel:" + once.Tid, out cancel), "a cancel Noti");
                    Assert.IsTrue(cancel.IsCancel);
                    Assert.AreEqual("2000", cancel["CANCEL_AMT"]);

                    // Unauthenticated: what it says is confirmed with paycert before anything is marked paid.
                    Assert.AreEqual(recurring.Amount, client.Paycert(recurring.Tid).Amount);
                }
                finally
                {
                    sandbox.Control("POST", "/_sandbox/noti", new Dictionary<string, object> { { "url", null } });
                }
            }
        }

        [Test]
        public void ParseNotiOfHandMadeBodies()
        {
            var recurring = CookiePayClient.ParseNoti(
                "{\"API_ID\":\"sandbox_demo01\",\"ORDERNO\":\"SRS20261127000000000001\",\"AMOUNT\":\"9900\",\"TID\":\"SBX26112700000012345\","
                + "\"RESULTCODE\":\"0000\",\"RESULTMSG\":\"성공\",\"RESERVE_ID\":\"r1\",\"RESERVE_ORDERNO\":\"A-1\",\"PAY_CNT\":\"2\","
                + "\"LAST_PAY_CNT\":\"12\",\"TRY_CNT\":\"1\",\"NEXT_PAY_DATE\":\"2026-12-27\",\"BILLKEY\":\"abc\",\"CARDNO\":\"411111******1111\","
                + "\"PAY_METHOD\":\"CARD\",\"VENDOR_ORDER_NO\":null,\"BUYERNAME\":\"홍길동\"}");
            Assert.AreEqual("recurring", recurring.Kind);
            Assert.AreEqual("SBX26112700000012345", recurring.Tid);
            Assert.AreEqual("홍길동", recurring["BUYERNAME"]);
            Assert.AreEqual("2026-12-27", recurring.NextPayDate);
            Assert.IsTrue(recurring.Has("VENDOR_ORDER_NO"));
            Assert.AreEqual("411111******1111", recurring["CARDNO"], "CookiePay's own mask (first six, last four, as PCI DSS allows) is kept");

            var payment = CookiePayClient.ParseNoti(
                "{\"PAY_METHOD\":\"CARD\",\"API_ID\":\"sandbox_demo01\",\"ORDERNO\":\"A-2\",\"AMOUNT\":\"1000\",\"TID\":\"SBX26112700000054321\","
                + "\"ACCEPT_NO\":\"12345678\",\"RESULTCODE\":\"0000\"}");
            Assert.AreEqual("payment", payment.Kind);
            Assert.AreNotEqual(recurring.DedupKey, payment.DedupKey);

            // A Noti is whatever anyone posts: card fields in it, even unmasked, never reach the shop's logs.
            var careless = CookiePayClient.ParseNoti(
                "{\"TID\":\"SBX26112700000099999\",\"CARDNO\":\"4111111111111111\",\"CARDAUTH\":\"900101\",\"CARDPWD\":\"12\",\"EXPIREDT\":\"3012\"}");
            Assert.AreEqual("************1111", careless["CARDNO"]);
            // The core never passes these on: they become "[REDACTED]".
            Assert.AreNotEqual("900101", careless["CARDAUTH"]);
            Assert.AreNotEqual("12", careless["CARDPWD"]);
            Assert.AreNotEqual("3012", careless["EXPIREDT"]);
            StringAssert.DoesNotContain("4111111111111111", careless.RawJson);
            StringAssert.DoesNotContain("900101", careless.RawJson);
            Assert.AreEqual("payment:SBX26112700000099999", careless.DedupKey);

            Assert.Throws<CookiePayInvalidArgumentException>(() => CookiePayClient.ParseNoti((string)null));
            Assert.Throws<CookiePayInvalidArgumentException>(() => CookiePayClient.ParseNoti((byte[])null));
            Assert.Throws<CookiePayInvalidArgumentException>(() => CookiePayClient.ParseNoti("API_ID=x&TID=y"));
        }

        // ---- money calls under faults: sent once, outcome unknown when it may have happened ----

        [TestCase("billkeygen", "reset", true)]
        [TestCase("billkeygen", "http_500", true)]
        [TestCase("billkeygen", "delay", true)]
        [TestCase("billkeygen", "truncate", true)]
        [TestCase("recurring_charge", "reset", true)]
        [TestCase("recurring_charge", "http_500", true)]
        [TestCase("recurring_charge", "delay", true)]
        [TestCase("recurring_charge", "truncate", true)]
        [TestCase("cancel", "reset", true)]
        [TestCase("cancel", "http_500", true)]
        [TestCase("cancel", "delay", true)]
        [TestCase("cancel", "truncate", true)]
        public void MoneyCallIsSentOnceUnderFault(string endpoint, string mode, bool outcomeUnknown)
        {
            var signUp = client.Billkeygen(Sandbox.Subscription(9900));
            var request = Sandbox.Subscription(9900);
            using (var impatient = ImpatientClient(mode == "delay" ? 300 : 5000))
            {
                sandbox.Reset();
                sandbox.Fault(endpoint, mode, 1, delayMs: mode == "delay" ? 1500 : 0);
                Action call;
                switch (endpoint)
                {
                    case "billkeygen": call = () => impatient.Billkeygen(request); break;
                    case "recurring_charge": call = () => impatient.RecurringCharge(signUp.ReserveId, signUp.BillKey); break;
                    default: call = () => impatient.Cancel(signUp.Tid, "고객 요청"); break;
                }
                var e = Assert.Catch<CookiePayException>(() => call());
                Console.WriteLine("{0} under {1}: {2}", endpoint, mode, e.ErrorJson);
                if (mode == "delay") Assert.IsInstanceOf<CookiePayTimeoutException>(e);
                if (mode == "http_500") Assert.IsInstanceOf<CookiePayHttpException>(e);
                Assert.AreEqual(outcomeUnknown, e.OutcomeUnknown, "outcome of " + e.ErrorJson);
                if (mode == "delay") System.Threading.Thread.Sleep(1500); // let the slow request finish at the sandbox
                Assert.AreEqual(1, sandbox.Requests(endpoint), "a money call is never retried");
                if (endpoint == "billkeygen") AssertNoCardData(request, e);
            }
        }

        [Test]
        public void UnknownOutcomeIsSettledWithPaysearch()
        {
            // The shop tags the schedule (ETC2): every charge of it carries the tag, so a lookup can find them.
            string tag = "sub-" + Guid.NewGuid().ToString("N").Substring(0, 12);
            var request = Sandbox.Subscription(9900);
            request["ETC2"] = tag;
            var signUp = client.Billkeygen(request);
            using (var impatient = ImpatientClient(300))
            {
                sandbox.Fault("recurring_charge", "delay", 1, delayMs: 1200);
                var e = Assert.Throws<CookiePayTimeoutException>(() => impatient.RecurringCharge(signUp.ReserveId, signUp.BillKey));
                Assert.IsTrue(e.OutcomeUnknown);
            }
            // Settle: today's payments (sandbox clock: the sign-up's own date) with our tag, other than the sign-up.
            // The slow request is still being processed: look until it shows (not a fixed sleep: under
            // libfaketime, as make test-binding-dates runs this, CoreCLR's Thread.Sleep returns at once).
            var signUpRow = client.Paysearch(signUp.Tid).Payments[0];
            DateTime day = DateTime.ParseExact(signUpRow.AcceptDate.Substring(0, 8), "yyyyMMdd", CultureInfo.InvariantCulture);
            var charged = new List<Payment>();
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (charged.Count == 0 && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                if (waited.ElapsedMilliseconds > 0) System.Threading.Thread.Sleep(100);
                foreach (var p in client.Paysearch(day, day.AddDays(1)).Payments)
                    if (p["ETC2"] == tag && p.Tid != signUp.Tid) charged.Add(p);
            }
            Assert.AreEqual(1, charged.Count, "the timed-out charge was made, once: do not charge again");
            StringAssert.StartsWith("SRS", charged[0].OrderNo);
            Assert.AreEqual("2", Convert.ToString(FindSubscription(signUp.ReserveId)["PAY_CNT"], CultureInfo.InvariantCulture));
            Assert.AreEqual(1, sandbox.Requests("recurring_charge"));
        }

        [Test]
        public void RequestIsNeverRetried()
        {
            // The fixture's client retries read-only calls; Request must still send once, even to paycert.
            client.Token();
            sandbox.Reset();
            sandbox.Fault("paycert", "reset", 1);
            var e = Assert.Catch<CookiePayException>(
                () => client.Request("/api/paycert", new Dictionary<string, object> { { "tid", "SBX00000000000000000" } }, "token"));
            Assert.IsTrue(e.OutcomeUnknown, e.ErrorJson);
            Assert.AreEqual(1, sandbox.Requests("paycert"));
        }
    }

    /// <summary>What a debugger shows of results and exceptions.</summary>
    [TestFixture]
    public class DebuggerTextTests
    {
        [Test]
        public void ResultsAndExceptionsShowTheSameSafeTextInADebugger()
        {
            string ok = "{\"ok\":true,\"data\":{\"BILLKEY\":\"secretkey\",\"TID\":\"SBX1\"}}";
            var result = new BillkeyResult(CookiePayClient.Unwrap(ok), ok);
            Assert.AreEqual(result.ToString(), LifecycleTests.DebuggerText(result));
            StringAssert.DoesNotContain("secretkey", LifecycleTests.DebuggerText(result));
            string failed = "{\"ok\":false,\"error\":{\"kind\":\"timeout\",\"message\":\"no answer\",\"outcome\":\"unknown\"}}";
            var e = Assert.Throws<CookiePayTimeoutException>(() => CookiePayClient.Unwrap(failed));
            Assert.AreEqual("CookiePayTimeoutException (timeout): no answer", LifecycleTests.DebuggerText(e));
            Assert.IsTrue(e.OutcomeUnknown);
        }
    }
}
