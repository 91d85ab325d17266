package main

import (
	"strings"

	"github.com/releasegate/releasegate/internal/actionsummary"
)

// writeSummary adds the run's job summary (internal/actionsummary) to the step's.
func (r *actionRunner) writeSummary() error {
	var b strings.Builder
	if err := actionsummary.Write(&b, r.summary()); err != nil {
		return err
	}
	return safeFileCommand(func() { r.gha.AddStepSummary(b.String()) })
}

// summary is the run's report as the job summary shows it.
func (r *actionRunner) summary() actionsummary.Summary {
	rep := &r.report
	s := actionsummary.Summary{Release: rep.Release, Projects: rep.Projects, Error: rep.Error, Gate: rep.Gate}
	for _, p := range rep.Phases {
		s.Phases = append(s.Phases, actionsummary.Phase{Name: p.Name, Status: p.Status, Millis: p.Millis, Detail: p.Detail})
	}
	if v := rep.Validate; v != nil {
		s.Validate = &actionsummary.Validation{Files: v.Files, Errors: v.Errors, Warnings: v.Warnings, Findings: v.Findings}
	}
	for _, u := range rep.Uploads {
		up := actionsummary.Upload{Projects: u.Projects, Files: bundleFiles(u), DebugIDs: u.DebugIDs, Injected: u.Injected,
			BytesSent: u.Chunks.BytesSent, Uploaded: u.Chunks.Uploaded, Total: u.Chunks.Total}
		for _, b := range u.Bundles {
			up.Bytes += b.Bytes
		}
		for _, name := range uploadPhaseOrder {
			if ms, ok := u.Phases[name]; ok {
				up.Phases = append(up.Phases, actionsummary.Timing{Name: name, Millis: ms})
			}
		}
		s.Uploads = append(s.Uploads, up)
	}
	if o := rep.Ownership; o != nil {
		own := &actionsummary.Ownership{Properties: len(o.Projects), Errors: o.Errors, Warnings: o.Warnings, Findings: o.Findings}
		for _, p := range o.Projects {
			own.Rules += p.Rules + p.Codeowners
		}
		s.Ownership = own
	}
	for _, p := range rep.OwnershipSync {
		s.OwnershipSync = append(s.OwnershipSync, actionsummary.Sync{Project: p.Project, Properties: p.Properties, Status: p.Status,
			Changes: p.Changes, Diff: p.Diff})
	}
	return s
}
