// One client shared by many threads (as in IIS or Kestrel), and many calls without memory growth.

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using NUnit.Framework;

namespace CookiePay.Tests
{
    [TestFixture]
    public class LoadTests
    {
        private const int Threads = 16;
        private const int CallsPerThread = 1000;

        private Sandbox sandbox;

        [TestFixtureSetUp]
        public void StartSandbox() { sandbox = new Sandbox(); }

        [TestFixtureTearDown]
        public void StopSandbox() { if (sandbox != null) sandbox.Dispose(); }

        [Test]
        public void SixteenThreadsShareOneClientAndGetTheirOwnAnswers()
        {
            using (var client = sandbox.Client())
            {
                // One real payment per thread, so every thread asks about a different TID.
                var tids = new string[Threads];
                var orderNos = new string[Threads];
                for (int t = 0; t < Threads; t++)
                {
                    var order = Sandbox.Order(1000 + t);
                    orderNos[t] = (string)order["ORDERNO"];
                    tids[t] = sandbox.Pay(client, order).Tid;
                }
                sandbox.Reset(); // count only what the threads send

                using (var fresh = sandbox.PrivateClient())
                {
                    var failures = new ConcurrentQueue<string>();
                    int answered = 0;
                    var start = new Barrier(Threads);
                    var workers = new List<Thread>();
                    for (int t = 0; t < Threads; t++)
                    {
                        int me = t;
                        var worker = new Thread(() =>
                        {
                            start.SignalAndWait();
                            for (int i = 0; i < CallsPerThread; i++)
                            {
                                try
                                {
                                    if (i % 2 == 0)
                                    {
                                        var cert = fresh.Paycert(tids[me]);
                                        if (cert.Tid != tids[me] || cert.OrderNo != orderNos[me] || cert.Amount != (1000 + me).ToString())
                                            failures.Enqueue("thread " + me + " call " + i + " got " + cert.Tid + "/" + cert.OrderNo);
                                    }
                                    else
                                    {
                                        string enc = "T" + me + "C" + i + "+한";
                                        var post = CookiePayClient.ParseReturn("RESULTCODE=0000&RESULTMSG=%ED%95%9C&ENC_DATA=" + Uri.EscapeDataString(enc));
                                        if (post.EncData != enc || post.ResultMsg != "한")
                                            failures.Enqueue("thread " + me + " call " + i + " parsed " + post.EncData);
                                    }
                                    Interlocked.Increment(ref answered);
                                }
                                catch (Exception e)
                                {
                                    failures.Enqueue("thread " + me + " call " + i + ": " + e.GetType().Name + ": " + e.Message);
                                }
                            }
                        });
                        workers.Add(worker);
                        worker.Start();
                    }
                    foreach (var worker in workers) worker.Join();

                    string first;
                    failures.TryPeek(out first);
                    Assert.AreEqual(0, failures.Count, failures.Count + " wrong answers, first: " + first);
                    Assert.AreEqual(Threads * CallsPerThread, answered);
                    Assert.AreEqual(Threads * CallsPerThread / 2, sandbox.Requests("paycert"), "one request per paycert, no duplicates");
                    Assert.AreEqual(1, sandbox.Requests("token"), "16 threads needing a TOKEN share one refresh");
                }
            }
        }

        [Test]
        public void DisposeWhileOtherThreadsCallEndsThemWithObjectDisposed()
        {
            var client = sandbox.Client();
            string tid = sandbox.Pay(client, Sandbox.Order(3000)).Tid;
            var unexpected = new ConcurrentQueue<Exception>();
            int disposedSeen = 0, callsBefore = 0;
            var workers = new List<Thread>();
            for (int t = 0; t < 4; t++)
            {
                var worker = new Thread(() =>
                {
                    try
                    {
                        for (int i = 0; i < 100000; i++)
                        {
                            if (client.Paycert(tid).Tid != tid) throw new InvalidOperationException("wrong TID");
                            Interlocked.Increment(ref callsBefore);
                        }
                    }
                    catch (ObjectDisposedException) { Interlocked.Increment(ref disposedSeen); }
                    catch (Exception e) { unexpected.Enqueue(e); }
                });
                workers.Add(worker);
                worker.Start();
            }
            while (Volatile.Read(ref callsBefore) < 200) Thread.Sleep(5);
            client.Dispose(); // the native client is freed once the calls in flight have returned
            int callsAtDispose = Volatile.Read(ref callsBefore);
            foreach (var worker in workers) Assert.IsTrue(worker.Join(30000), "a worker hung after Dispose");
            Exception first;
            unexpected.TryPeek(out first);
            Assert.AreEqual(0, unexpected.Count, "unexpected: " + first);
            Assert.AreEqual(4, disposedSeen);
            // At most the one call each thread had in flight completes; no new call starts after Dispose.
            Assert.LessOrEqual(callsBefore - callsAtDispose, 4);
        }

        [Test]
        public void HundredThousandCallsKeepMemoryFlat()
        {
            const int warmUp = 10000;
            const int measured = 100000;
            const int checkpoints = 10;
            using (var client = sandbox.Client())
            {
                string tid = sandbox.Pay(client, Sandbox.Order(2000)).Tid;
                var invalidOrder = Sandbox.Order(1000);
                invalidOrder["ORDERNO"] = "";
                invalidOrder["PRODUCTNAME"] = "A & B"; // '&' is not allowed in PRODUCTNAME

                Action<int> call = i =>
                {
                    switch (i % 20)
                    {
                        case 0:
                            if (client.Paycert(tid).Tid != tid) Assert.Fail("paycert answered another TID");
                            break;
                        case 1:
                        case 2:
                        case 3:
                            try { client.Ready(invalidOrder); Assert.Fail("invalid order accepted"); }
                            catch (CookiePayValidationException e) { if (e.Fields.Count < 2) Assert.Fail("missing problems"); }
                            break;
                        case 4:
                            try { client.Paycert(""); Assert.Fail("empty tid accepted"); }
                            catch (CookiePayValidationException) { }
                            break;
                        default:
                            var post = CookiePayClient.ParseReturn("API_ID=sandbox_demo01&RESULTCODE=0000&RESULTMSG=%EC%84%B1%EA%B3%B5&ENC_DATA=abc" + i);
                            if (post.EncData != "abc" + i) Assert.Fail("parse answered another body");
                            break;
                    }
                };

                for (int i = 0; i < warmUp; i++) call(i);
                long managedBase = ManagedBytes();
                long rssBase = RssKiB();
                long managedMax = managedBase, rssMax = rssBase;
                var samples = new List<string>();
                for (int c = 0; c < checkpoints; c++)
                {
                    for (int i = 0; i < measured / checkpoints; i++) call(warmUp + c * (measured / checkpoints) + i);
                    long managed = ManagedBytes();
                    long rss = RssKiB();
                    managedMax = Math.Max(managedMax, managed);
                    rssMax = Math.Max(rssMax, rss);
                    samples.Add((managed / 1024) + "/" + rss);
                }
                Console.WriteLine("memory after {0} warm-up calls: managed {1} KiB, VmRSS {2} KiB", warmUp, managedBase / 1024, rssBase);
                Console.WriteLine("every {0} calls (managed KiB/VmRSS KiB): {1}", measured / checkpoints, string.Join(" ", samples.ToArray()));
                Console.WriteLine("growth over {0} calls: managed {1} KiB, VmRSS {2} KiB",
                    measured, (managedMax - managedBase) / 1024, rssMax - rssBase);

                // A leak of one envelope per call (~200 bytes or more) would add 20 MB over 100,000 calls.
                Assert.Less(managedMax - managedBase, 2 * 1024 * 1024, "managed heap grew");
                Assert.Less(rssMax - rssBase, 8 * 1024, "process memory (VmRSS, KiB) grew");
            }
        }

        private static long ManagedBytes()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return GC.GetTotalMemory(true);
        }

        private static long RssKiB()
        {
            foreach (string line in File.ReadAllLines("/proc/self/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Substring(6).Trim().Split(' ')[0]);
            throw new InvalidOperationException("no VmRSS in /proc/self/status");
        }
    }
}
