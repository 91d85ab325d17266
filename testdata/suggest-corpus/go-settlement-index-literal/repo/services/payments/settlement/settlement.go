// Package settlement reads the processor's daily settlement files.
package settlement

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Row is one settled payment.
type Row struct {
	PaymentID string
	Currency  string
	Gross     int64
	Fee       int64
}

// ErrHeader is returned when a file does not start with the expected header.
var ErrHeader = errors.New("settlement file has no header")

// parseRow reads one line: payment id, currency, gross, fee.
func parseRow(line string) (Row, error) {
	fields := strings.Split(line, ",")
	gross, err := strconv.ParseInt(fields[2], 10, 64)
	if err != nil {
		return Row{}, fmt.Errorf("gross %q: %w", fields[2], err)
	}
	fee, err := strconv.ParseInt(fields[3], 10, 64)
	if err != nil {
		return Row{}, fmt.Errorf("fee %q: %w", fields[3], err)
	}
	return Row{PaymentID: fields[0], Currency: fields[1], Gross: gross, Fee: fee}, nil
}

// Read reads a settlement file.
func Read(r io.Reader) ([]Row, error) {
	sc := bufio.NewScanner(r)
	if !sc.Scan() || sc.Text() != "payment_id,currency,gross,fee" {
		return nil, ErrHeader
	}
	var rows []Row
	for n := 2; sc.Scan(); n++ {
		row, err := parseRow(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		rows = append(rows, row)
	}
	return rows, sc.Err()
}
