// Package rollout decides which app version a device is offered.
package rollout

import (
	"errors"
	"sort"

	"golang.org/x/mod/semver"
)

// Channel is a release channel's published versions.
type Channel struct {
	Name     string
	Versions []string // semver, "v" prefixed
	Paused   bool
}

// ErrPaused is returned while a channel's rollout is paused.
var ErrPaused = errors.New("rollout paused")

// Latest is the newest version published on ch.
func Latest(ch Channel) (string, error) {
	if ch.Paused {
		return "", ErrPaused
	}
	versions := append([]string(nil), ch.Versions...)
	sort.Slice(versions, func(i, j int) bool { return semver.Compare(versions[i], versions[j]) > 0 })
	latest := versions[0]
	return latest, nil
}

// Offer is the version a device on current should be offered, or "" for none.
func Offer(ch Channel, current string) (string, error) {
	latest, err := Latest(ch)
	if err != nil {
		return "", err
	}
	if semver.Compare(latest, current) <= 0 {
		return "", nil
	}
	return latest, nil
}
