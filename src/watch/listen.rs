//! `--metrics-listen ADDR`: which address, and the listening socket. A bare port means
//! loopback; an address that others can reach is allowed, with a warning.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, ToSocketAddrs};

use crate::exit::{Error, Result};

/// `9464` -> 127.0.0.1:9464; `HOST:PORT` and `[::1]:PORT` as given.
pub fn parse(text: &str) -> Result<SocketAddr> {
    let bad = || {
        Error::usage(format!(
            "--metrics-listen {text:?} is not an address to listen on"
        ))
        .fix("give PORT (loopback) or HOST:PORT, e.g. --metrics-listen 127.0.0.1:9464")
    };
    if let Ok(port) = text.parse::<u16>() {
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    // A host name (`localhost:9464`): its first address.
    text.to_socket_addrs()
        .map_err(|e| bad().why(e.to_string()))?
        .next()
        .ok_or_else(bad)
}

/// The socket; a port in use or a forbidden address is a usage error that changes nothing.
pub fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr).map_err(|e| {
        Error::usage(format!("cannot listen on {addr} for --metrics-listen"))
            .why(e.to_string())
            .fix("choose a free port (or 0 for any), or stop what listens there")
    })
}

/// Said when the metrics can be read from other machines.
pub fn exposure_warning(addr: SocketAddr) -> Option<String> {
    (!addr.ip().is_loopback()).then(|| {
        format!(
            "--metrics-listen {addr} can be reached from the network: the metrics carry no token, \
             but anyone who reaches it can read them; listen on 127.0.0.1 unless a scraper elsewhere needs it"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_port_is_loopback_and_other_hosts_are_warned_of() {
        let a = parse("9464").unwrap();
        assert_eq!(a.to_string(), "127.0.0.1:9464");
        assert!(exposure_warning(a).is_none());
        assert!(exposure_warning(parse("[::1]:9").unwrap()).is_none());
        let w = exposure_warning(parse("0.0.0.0:9464").unwrap()).unwrap();
        assert!(w.contains("network"), "{w}");
        let e = parse("nine").unwrap_err();
        assert_eq!(e.code.code(), 2);
        assert!(e.to_string().contains("\"nine\""), "{e}");
    }
}
