package githubapitest

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"path"
	"sort"
	"strings"
)

// maxTreeEntries is where GitHub cuts a recursive tree listing (it also cuts at 7 MB).
const maxTreeEntries = 100_000

// SetTreeLimit sets how many entries a tree listing holds before the server cuts it and
// answers truncated, as GitHub does past 100,000 entries (the default); a test of a large
// repository sets a small one.
func (s *Server) SetTreeLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.treeLimit = n
}

// SetSubmodule puts a submodule (a commit of another repository) at path in a repository at
// ref: the trees API lists it as a "commit" entry, and it holds no file of the repository.
func (s *Server) SetSubmodule(owner, name, ref, path, commit string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repoLocked(owner, name)
	if r.submodules[ref] == nil {
		r.submodules[ref] = map[string]string{}
	}
	r.submodules[ref][strings.Trim(path, "/")] = commit
}

// treeSHA stands for the SHA of the tree of folder dir at ref: stable, and distinct per ref
// and folder.
func treeSHA(ref, dir string) string {
	h := sha1.Sum([]byte("tree\x00" + ref + "\x00" + dir))
	return hex.EncodeToString(h[:])
}

// getTree lists the tree of a ref (as GitHub, a commit SHA, branch or tag): the root's
// entries, or with recursive every entry below it, folders before their contents in git's
// order. An unknown ref is 404; a repository with no commit at all is 409, as on GitHub.
func (s *Server) getTree(c *call) {
	r := s.repos[repoKey(c.param("owner"), c.param("repo"))]
	ref := c.param("tree_sha")
	files, subs := r.files[ref], r.submodules[ref]
	if files == nil && subs == nil {
		if len(r.files) == 0 && len(r.submodules) == 0 {
			c.message(http.StatusConflict, "Git Repository is empty.")
			return
		}
		c.notFound()
		return
	}
	_, recursive := c.r.URL.Query()["recursive"]
	base := fmt.Sprintf("%s/repos/%s/%s/git", c.baseURL(), r.owner, r.name)

	type entry struct {
		key  string // git's order: a folder sorts as its name followed by "/"
		json map[string]any
	}
	var entries []entry
	dirs := map[string]bool{}
	add := func(p string, v map[string]any) {
		if !recursive && strings.Contains(p, "/") {
			return
		}
		v["path"] = p
		entries = append(entries, entry{key: p, json: v})
	}
	addDirs := func(p string) {
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			if dirs[d] {
				break
			}
			dirs[d] = true
			sha := treeSHA(ref, d)
			if !recursive && strings.Contains(d, "/") {
				continue
			}
			entries = append(entries, entry{key: d + "/", json: map[string]any{
				"path": d, "mode": "040000", "type": "tree", "sha": sha, "url": base + "/trees/" + sha,
			}})
		}
	}
	for p, data := range files {
		sum := blobSHA(data)
		add(p, map[string]any{"mode": "100644", "type": "blob", "sha": sum, "size": len(data), "url": base + "/blobs/" + sum})
		addDirs(p)
	}
	for p, commit := range subs {
		add(p, map[string]any{"mode": "160000", "type": "commit", "sha": commit})
		addDirs(p)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	truncated := len(entries) > s.treeLimit
	if truncated {
		entries = entries[:s.treeLimit]
	}
	tree := make([]map[string]any, len(entries))
	for i, e := range entries {
		tree[i] = e.json
	}
	sha := treeSHA(ref, "")
	c.json(http.StatusOK, map[string]any{"sha": sha, "url": base + "/trees/" + sha, "tree": tree, "truncated": truncated})
}
