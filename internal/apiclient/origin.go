package apiclient

import (
	"net"
	"net/url"
	"strings"
)

// Origin is a URL's scheme, host and port: the unit a credential is bound to. A redirect from
// https to http on the same host, or to another port, is another origin and gets no credential.
type Origin struct{ Scheme, Host, Port string }

// OriginOf is u's origin, the port filled in from the scheme when u has none.
func OriginOf(u *url.URL) Origin {
	o := Origin{Scheme: strings.ToLower(u.Scheme), Host: strings.ToLower(u.Hostname()), Port: u.Port()}
	if o.Port == "" {
		switch o.Scheme {
		case "https":
			o.Port = "443"
		case "http":
			o.Port = "80"
		}
	}
	return o
}

// String writes the origin as a URL, without the scheme's default port.
func (o Origin) String() string {
	host := o.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if o.Scheme == "https" && o.Port == "443" || o.Scheme == "http" && o.Port == "80" {
		return o.Scheme + "://" + host
	}
	return o.Scheme + "://" + host + ":" + o.Port
}

// IsLoopback reports whether host names this machine: plain http to it cannot be read by
// anyone else.
func IsLoopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
