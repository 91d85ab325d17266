package gate

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The release naming template (release.name: "{sha}", "web@{short_sha}", …) and the checks
// Sentry's release names must pass.

// releaseTemplatePart is literal text or, when placeholder is set, one of {sha}, {short_sha},
// {ref_name}, {project}.
type releaseTemplatePart struct {
	text        string
	placeholder string
}

var releasePlaceholders = []string{"sha", "short_sha", "ref_name", "project"}

func parseReleaseTemplate(tmpl string) ([]releaseTemplatePart, error) {
	var parts []releaseTemplatePart
	rest := tmpl
	for rest != "" {
		open := strings.IndexByte(rest, '{')
		if close := strings.IndexByte(rest, '}'); close >= 0 && (open < 0 || close < open) {
			return nil, errors.New(`has a "}" without "{"`)
		}
		if open < 0 {
			parts = append(parts, releaseTemplatePart{text: rest})
			break
		}
		if open > 0 {
			parts = append(parts, releaseTemplatePart{text: rest[:open]})
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return nil, errors.New(`has a "{" without "}"`)
		}
		name := rest[open+1 : open+end]
		if !slices.Contains(releasePlaceholders, name) {
			return nil, fmt.Errorf("has an unknown placeholder {%s}: use {sha}, {short_sha}, {ref_name} or {project}", name)
		}
		parts = append(parts, releaseTemplatePart{placeholder: name})
		rest = rest[open+end+1:]
	}
	return parts, nil
}

// releaseTemplateProblem says what is wrong with a release.name template, "" if nothing.
func releaseTemplateProblem(tmpl string) string {
	if tmpl == "" {
		return "must not be empty (leave it out for the default, " + policyDefaultReleaseName + ")"
	}
	parts, err := parseReleaseTemplate(tmpl)
	if err != nil {
		return err.Error()
	}
	perCommit := slices.ContainsFunc(parts, func(p releaseTemplatePart) bool {
		return p.placeholder == "sha" || p.placeholder == "short_sha" || p.placeholder == "ref_name"
	})
	if !perCommit {
		return "uses none of {sha}, {short_sha} and {ref_name}: every commit would have the same release name"
	}
	// The literal text must make a valid release name with any commit.
	sample := renderReleaseTemplate(parts, strings.Repeat("0123456789", 4), "main", "web")
	if msg := releaseNameProblem(sample); msg != "" {
		return fmt.Sprintf("makes release names like %q, which Sentry rejects: %s", sample, msg)
	}
	return ""
}

func renderReleaseTemplate(parts []releaseTemplatePart, sha, refName, project string) string {
	var b strings.Builder
	for _, p := range parts {
		switch p.placeholder {
		case "":
			b.WriteString(p.text)
		case "sha":
			b.WriteString(sha)
		case "short_sha":
			b.WriteString(sha[:min(12, len(sha))])
		case "ref_name":
			b.WriteString(refName)
		case "project":
			b.WriteString(project)
		}
	}
	return b.String()
}

// releaseNameProblem applies Sentry's rules for release names (as internal/sentryconf's
// CheckRelease does, plus the backslash and "latest" Sentry also refuses); "" when valid.
func releaseNameProblem(r string) string {
	switch {
	case r == "":
		return "it is empty"
	case r == "." || r == "..":
		return "it is . or .."
	case strings.EqualFold(r, "latest"):
		return `"latest" is reserved`
	case strings.TrimSpace(r) != r:
		return "it has leading or trailing spaces"
	case strings.ContainsAny(r, "/\\\n\t\v\f\r"):
		return "it contains '/', '\\' or a control character"
	case len(r) > 200:
		return "it is longer than 200 characters"
	}
	return ""
}

var commitSHARE = regexp.MustCompile(`^[0-9a-fA-F]{7,64}$`)

// ReleaseName names the release of a commit with the policy's release.name template (default
// "{sha}"): {sha} is the commit SHA, {short_sha} its first 12 characters, {ref_name} the branch
// or tag (GITHUB_REF_NAME), {project} the Sentry project. The result must be a release name
// Sentry accepts.
func (p *Policy) ReleaseName(sha, refName, project string) (string, error) {
	tmpl := p.Release.Name
	if tmpl == "" {
		tmpl = policyDefaultReleaseName
	}
	parts, err := parseReleaseTemplate(tmpl)
	if err != nil {
		return "", fmt.Errorf("release.name %q %w", tmpl, err)
	}
	for _, part := range parts {
		switch part.placeholder {
		case "sha", "short_sha":
			if !commitSHARE.MatchString(sha) {
				return "", fmt.Errorf("release.name %q needs the commit SHA, and %q is not one (7 to 64 hex digits)", tmpl, sha)
			}
		case "ref_name":
			if refName == "" {
				return "", fmt.Errorf("release.name %q uses {ref_name}, but no branch or tag name was given (GITHUB_REF_NAME in GitHub Actions)", tmpl)
			}
		case "project":
			if project == "" {
				return "", fmt.Errorf("release.name %q uses {project}, but no Sentry project was given", tmpl)
			}
		}
	}
	name := renderReleaseTemplate(parts, sha, refName, project)
	if msg := releaseNameProblem(name); msg != "" {
		return "", fmt.Errorf("release.name %q makes %q, which Sentry does not accept as a release name: %s", tmpl, name, msg)
	}
	return name, nil
}
