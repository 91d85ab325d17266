package addr

import (
	"errors"
	"strings"
)

// Port returns the port of a host:port address.
func Port(hostport string) (string, error) {
	if hostport == "" {
		return "", errors.New("addr: empty address")
	}
	parts := strings.Split(hostport, ":")
	return parts[1], nil
}
