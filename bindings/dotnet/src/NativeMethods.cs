// The C functions of libcookiepay (include/cookiepay.h) as P/Invoke declarations, and the SafeHandle
// that frees a client. NativeLoader.cs finds the library file before the first call.

using System;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CookiePay
{
    /// <summary>Owns a <c>cookiepay_client *</c>; frees it once, after the last call using it returns.</summary>
    internal sealed class ClientHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        private ClientHandle() : base(true) { }

        protected override bool ReleaseHandle()
        {
            NativeMethods.cookiepay_client_free(handle);
            return true;
        }
    }

    /// <summary>
    /// The C functions. Strings go in as NUL-terminated UTF-8 byte arrays (never the ANSI code page) and
    /// come back as IntPtr: declaring them string would let the marshaller free Rust memory with
    /// CoTaskMemFree. "cookiepay" resolves to cookiepay.dll, libcookiepay.so or libcookiepay.dylib.
    /// </summary>
    internal static class NativeMethods
    {
        private const string Library = "cookiepay";

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern ClientHandle cookiepay_client_new(byte[] configJson, out IntPtr errorJson);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate void ObserverCallback(IntPtr recordJson, IntPtr userData);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern ClientHandle cookiepay_client_new_observed(byte[] configJson, ObserverCallback observer, IntPtr userData, out IntPtr errorJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void cookiepay_client_free(IntPtr client);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_token(ClientHandle client, byte[] requestJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_ready(ClientHandle client, byte[] requestJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_decrypt(ClientHandle client, byte[] requestJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_paycert(ClientHandle client, byte[] requestJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_verify(ClientHandle client, byte[] requestJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_billkeygen(ClientHandle client, byte[] requestJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_recurring_charge(ClientHandle client, byte[] requestJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_schedule_cancel(ClientHandle client, byte[] requestJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_billkey_delete(ClientHandle client, byte[] requestJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_cancel(ClientHandle client, byte[] requestJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_paysearch(ClientHandle client, byte[] requestJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_receipt_url(ClientHandle client, byte[] requestJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_request(ClientHandle client, byte[] requestJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_confirm_noti(ClientHandle client, byte[] requestJson);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_parse_return_len(byte[] formBody, UIntPtr length);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_parse_noti(byte[] body);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void cookiepay_string_free(IntPtr text);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr cookiepay_version();
    }
}
