using System.Net;
using System.Net.Sockets;

namespace AssetServer.Files.Import;

/// <summary>
/// Decides whether an address may be fetched by <c>/files/import</c>: only public unicast addresses,
/// so a caller cannot make the server reach its own loopback, the private network or a cloud metadata service.
/// </summary>
public static class AddressGuard
{
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork) return IsPublicV4(address.GetAddressBytes());
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return false;

        var b = address.GetAddressBytes();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any)) return false;
        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast) return false;
        if ((b[0] & 0xFE) == 0xFC) return false;                                      // fc00::/7 unique local
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return false; // 2001:db8::/32 documentation
        // Addresses that embed an IPv4 one are judged by it: NAT64 64:ff9b::/96, 6to4 2002::/16, IPv4-compatible ::/96.
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B) return IsPublicV4(b[12..16]);
        if (b[0] == 0x20 && b[1] == 0x02) return IsPublicV4(b[2..6]);
        if (b[..12].All(x => x == 0)) return IsPublicV4(b[12..16]);
        return true;
    }

    private static bool IsPublicV4(byte[] b) => !(
        b[0] == 0 ||                                   // 0.0.0.0/8 "this network" (0.0.0.0 reaches the local host)
        b[0] == 10 ||                                  // 10/8 private
        b[0] == 127 ||                                 // loopback
        (b[0] == 100 && b[1] >= 64 && b[1] <= 127) ||  // 100.64/10 carrier-grade NAT
        (b[0] == 169 && b[1] == 254) ||                // link-local, cloud metadata (169.254.169.254)
        (b[0] == 172 && b[1] >= 16 && b[1] <= 31) ||   // 172.16/12 private
        (b[0] == 192 && b[1] == 0 && b[2] == 0) ||     // 192.0.0/24 protocol assignments
        (b[0] == 192 && b[1] == 0 && b[2] == 2) ||     // TEST-NET-1
        (b[0] == 192 && b[1] == 168) ||                // 192.168/16 private
        (b[0] == 198 && (b[1] == 18 || b[1] == 19)) || // benchmarking
        (b[0] == 198 && b[1] == 51 && b[2] == 100) ||  // TEST-NET-2
        (b[0] == 203 && b[1] == 0 && b[2] == 113) ||   // TEST-NET-3
        b[0] >= 224);                                  // multicast, reserved, broadcast
}
