// The child process of tests/LibraryLoadTests.cs: the first calls, with the native library missing, must
// each be a CookiePayLibraryException naming the file (not a TypeInitializationException for the life of
// the process); then the file is put in place and the next call, in this same process, must work.
// Usage: LoadProbe <library to copy> <where the binding looks for it>; prints what happened, exit 0 = as expected.

using System;
using System.IO;
using CookiePay;

public static class LoadProbe
{
    public static int Main(string[] args)
    {
        string source = args[0], target = args[1];
        if (File.Exists(target)) { Console.WriteLine("the library is already at " + target); return 2; }
        for (int attempt = 1; attempt <= 2; attempt++)
        {
            try
            {
                CookiePayClient.ParseReturn("RESULTCODE=0000");
                Console.WriteLine("a call worked without " + target);
                return 3;
            }
            catch (CookiePayLibraryException e)
            {
                Console.WriteLine("missing " + attempt + ": " + e.Kind + ": " + e.Message);
            }
            catch (Exception e)
            {
                Console.WriteLine("missing " + attempt + ": not a CookiePayLibraryException: " + e);
                return 4;
            }
        }
        Directory.CreateDirectory(Path.GetDirectoryName(target));
        File.Copy(source, target);
        try
        {
            ReturnPost post = CookiePayClient.ParseReturn("RESULTCODE=0000&ENC_DATA=x");
            Console.WriteLine("in place: loaded " + CookiePayClient.LibraryVersion + ", parsed " + post.ResultCode);
            return 0;
        }
        catch (Exception e)
        {
            Console.WriteLine("in place: still failing: " + e);
            return 5;
        }
    }
}
