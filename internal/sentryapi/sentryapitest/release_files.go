package sentryapitest

import (
	"bytes"
	"cmp"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// A release's files, the legacy way to upload source maps (one request per file): list,
// upload, read, rename and delete.

func (f *releaseFile) json() map[string]any {
	sum := sha1.Sum(f.content)
	headers := map[string]any{}
	for k, v := range f.headers {
		headers[k] = v
	}
	return map[string]any{
		"id": strconv.Itoa(f.id), "name": f.name, "dist": strOrNil(f.dist), "headers": headers,
		"size": len(f.content), "sha1": hex.EncodeToString(sum[:]), "dateCreated": timestamp(f.dateCreated),
	}
}

func (s *Server) listReleaseFiles(c *call) {
	_, r, ok := c.releaseParam()
	if !ok {
		return
	}
	q := c.query("query")
	sums := c.queryAll("checksum")
	var list []*releaseFile
	for _, f := range r.files {
		sum := sha1.Sum(f.content)
		if q != "" && !strings.Contains(f.name, q) {
			continue
		}
		if len(sums) > 0 && !slices.Contains(sums, hex.EncodeToString(sum[:])) {
			continue
		}
		list = append(list, f)
	}
	servePage(c, len(list), "per_page", 100, 1000, func(i int) any { return list[i].json() })
}

// uploadReleaseFile is the legacy single-file upload (sentry-cli 2.x against old servers):
// multipart "file", optional "name", "dist" and any number of "header" fields ("Key:Value").
func (s *Server) uploadReleaseFile(c *call) {
	_, r, ok := c.releaseParam()
	if !ok {
		return
	}
	_, params, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		c.detail(http.StatusBadRequest, "Missing uploaded file")
		return
	}
	mr := multipart.NewReader(bytes.NewReader(c.body), params["boundary"])
	f := &releaseFile{id: s.newID(), headers: map[string]string{}, dateCreated: s.clock()}
	var fileName string
	var gotFile bool
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			c.detail(http.StatusBadRequest, "invalid multipart body: "+err.Error())
			return
		}
		data, err := io.ReadAll(part)
		if err != nil {
			c.detail(http.StatusBadRequest, "invalid multipart body: "+err.Error())
			return
		}
		switch part.FormName() {
		case "file":
			f.content, fileName, gotFile = data, part.FileName(), true
		case "name":
			f.name = string(data)
		case "dist":
			f.dist = string(data)
		case "header":
			k, v, ok := strings.Cut(string(data), ":")
			if !ok {
				c.detail(http.StatusBadRequest, "header value was not formatted correctly")
				return
			}
			f.headers[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	if !gotFile {
		c.detail(http.StatusBadRequest, "Missing uploaded file")
		return
	}
	f.name = cmp.Or(f.name, fileName)
	if f.name == "" {
		c.detail(http.StatusBadRequest, "File name must be specified")
		return
	}
	for _, x := range r.files {
		if x.name == f.name && x.dist == f.dist {
			c.detail(http.StatusConflict, "A file matching this name already exists for the given release")
			return
		}
	}
	r.files = append(r.files, f)
	c.json(http.StatusCreated, f.json())
}

func (c *call) releaseFile() (*release, *releaseFile, bool) {
	_, r, ok := c.releaseParam()
	if !ok {
		return nil, nil, false
	}
	for _, f := range r.files {
		if strconv.Itoa(f.id) == c.param("file_id") {
			return r, f, true
		}
	}
	c.notFound()
	return nil, nil, false
}

func (s *Server) getReleaseFile(c *call) {
	_, f, ok := c.releaseFile()
	if !ok {
		return
	}
	if c.query("download") == "1" {
		c.w.Header().Set("Content-Type", "application/octet-stream")
		c.w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", f.name))
		c.w.WriteHeader(http.StatusOK)
		_, _ = c.w.Write(f.content)
		return
	}
	c.json(http.StatusOK, f.json())
}

func (s *Server) updateReleaseFile(c *call) {
	_, f, ok := c.releaseFile()
	if !ok {
		return
	}
	var in struct {
		Name *string `json:"name"`
		Dist *string `json:"dist"`
	}
	if !c.decode(&in) {
		return
	}
	if in.Name != nil {
		f.name = *in.Name
	}
	if in.Dist != nil {
		f.dist = *in.Dist
	}
	c.json(http.StatusOK, f.json())
}

func (s *Server) deleteReleaseFile(c *call) {
	r, f, ok := c.releaseFile()
	if !ok {
		return
	}
	r.files = slices.DeleteFunc(r.files, func(x *releaseFile) bool { return x == f })
	c.noContent()
}
