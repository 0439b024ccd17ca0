//! The addresses a phone opens the remote at: what `treadcuectl web`
//! prints, and the D-Bus `Web.Addresses` property.

use std::net::{IpAddr, SocketAddr};

/// This machine's hostname, as the remote answers to it and announces it.
pub fn hostname() -> Option<String> {
    super::host::hostname()
}

/// The remote's URLs for `listen`: the mDNS name `HOSTNAME.local` first
/// (the name a phone keeps when the router hands the Pi another address),
/// then each of this machine's addresses it listens on. Only the loopback
/// address when it listens on nothing else.
pub fn remote_urls(listen: SocketAddr) -> Vec<String> {
    let port = listen.port();
    if listen.ip().is_loopback() {
        return vec![format!("http://{listen}/")];
    }
    let mut urls: Vec<String> = hostname()
        .map(|name| format!("http://{name}.local:{port}/"))
        .into_iter()
        .collect();
    let addresses = if listen.ip().is_unspecified() {
        interface_addresses(listen.ip())
    } else {
        vec![listen.ip()]
    };
    urls.extend(
        addresses
            .into_iter()
            .map(|ip| format!("http://{}/", SocketAddr::new(ip, port))),
    );
    urls
}

/// This machine's addresses a socket bound to `unspecified` (0.0.0.0 or
/// [::]) answers at, that another machine can reach: IPv4 for 0.0.0.0,
/// both for [::]; no loopback, no link-local IPv6 (it needs a zone).
fn interface_addresses(unspecified: IpAddr) -> Vec<IpAddr> {
    let mut found = Vec::new();
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `list` with a list we only read and then
    // free with freeifaddrs, once.
    if unsafe { libc::getifaddrs(&mut list) } != 0 {
        return found;
    }
    let mut entry = list;
    while !entry.is_null() {
        // SAFETY: `entry` is a node of the list getifaddrs made, alive
        // until freeifaddrs below.
        let (address, next) = unsafe { ((*entry).ifa_addr, (*entry).ifa_next) };
        // SAFETY: a non-null ifa_addr points at a sockaddr whose family
        // says which sockaddr it is.
        if let Some(ip) = unsafe { ip_of(address) } {
            let wanted = match ip {
                IpAddr::V4(_) => true,
                IpAddr::V6(v6) => unspecified.is_ipv6() && (v6.segments()[0] & 0xffc0) != 0xfe80,
            };
            if wanted && !ip.is_loopback() && !found.contains(&ip) {
                found.push(ip);
            }
        }
        entry = next;
    }
    // SAFETY: the list getifaddrs made, freed once.
    unsafe { libc::freeifaddrs(list) };
    found
}

/// The address a sockaddr holds, when it is IPv4 or IPv6.
///
/// # Safety
/// `address` is null or points at a valid sockaddr of its family.
unsafe fn ip_of(address: *const libc::sockaddr) -> Option<IpAddr> {
    if address.is_null() {
        return None;
    }
    // SAFETY: the caller's promise, and the family read first says which
    // struct the memory is.
    unsafe {
        match i32::from((*address).sa_family) {
            libc::AF_INET => {
                let v4 = &*(address as *const libc::sockaddr_in);
                Some(IpAddr::from(u32::from_be(v4.sin_addr.s_addr).to_be_bytes()))
            }
            libc::AF_INET6 => {
                let v6 = &*(address as *const libc::sockaddr_in6);
                Some(IpAddr::from(v6.sin6_addr.s6_addr))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loopback_remote_is_only_at_loopback() {
        let urls = remote_urls("127.0.0.1:8321".parse().unwrap());
        assert_eq!(urls, vec!["http://127.0.0.1:8321/".to_string()]);
    }

    #[test]
    fn a_remote_on_every_address_names_the_mdns_name_first_and_no_loopback() {
        let urls = remote_urls("0.0.0.0:8321".parse().unwrap());
        assert!(urls.iter().all(|u| u.ends_with(":8321/")), "{urls:?}");
        assert!(!urls.iter().any(|u| u.contains("127.0.0.1")), "{urls:?}");
        if super::super::host::hostname().is_some() {
            assert!(urls[0].contains(".local:"), "{urls:?}");
        }
    }

    #[test]
    fn a_remote_on_one_address_names_that_address() {
        let urls = remote_urls("192.0.2.7:9000".parse().unwrap());
        assert_eq!(urls.last().unwrap(), "http://192.0.2.7:9000/");
    }
}
