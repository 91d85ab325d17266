package sentryapitest

// Scope sets, as Sentry's API description lists them per operation: any one of them grants
// access.
var (
	scopesReleaseRead  = []string{"org:ci", "project:admin", "project:read", "project:releases", "project:write"}
	scopesReleaseWrite = []string{"org:ci", "project:admin", "project:releases", "project:write"}
	scopesReleaseAdmin = []string{"project:admin", "project:releases"}
	scopesEventRead    = []string{"event:admin", "event:read", "event:write"}
	scopesEventWrite   = []string{"event:admin", "event:write"}
	scopesEventAdmin   = []string{"event:admin"}
	scopesOrgRead      = []string{"org:admin", "org:read", "org:write"}
	scopesProjectRead  = []string{"project:admin", "project:read", "project:write"}
	scopesMemberRead   = []string{"member:admin", "member:read", "member:write"}
	scopesTeamRead     = []string{"team:admin", "team:read", "team:write"}
	scopesIntegrations = []string{"org:integrations", "org:read"}
)

const (
	orgPath     = "/api/0/organizations/{organization_id_or_slug}"
	projectPath = "/api/0/projects/{organization_id_or_slug}/{project_id_or_slug}"
)

// routeTable lists every endpoint the server answers.
func (s *Server) routeTable() []route {
	return []route{
		// The API root says who is asking and with which scopes; it takes any token itself
		// (see index), and is not in the API description.
		{"GET", "/api/0/", nil, s.index},

		// Artifact bundle upload (sentry-cli 3.x); not in the API description.
		{"GET", orgPath + "/chunk-upload/", scopesReleaseRead, s.chunkOptions},
		{"POST", orgPath + "/chunk-upload/", scopesReleaseWrite, s.chunkUpload},
		{"POST", orgPath + "/artifactbundle/assemble/", scopesReleaseWrite, s.assemble},
		// The release-bundle upload of sentry-cli 2.x against servers without artifact bundles.
		{"POST", orgPath + "/releases/{version}/assemble/", scopesReleaseWrite, s.assembleRelease},

		// Releases.
		{"GET", orgPath + "/releases/", scopesReleaseRead, s.listReleases},
		{"POST", orgPath + "/releases/", scopesReleaseWrite, s.createRelease},
		{"GET", orgPath + "/releases/{version}/", scopesReleaseRead, s.getRelease},
		{"PUT", orgPath + "/releases/{version}/", scopesReleaseWrite, s.updateRelease},
		{"DELETE", orgPath + "/releases/{version}/", scopesReleaseAdmin, s.deleteRelease},
		{"GET", orgPath + "/releases/{version}/commits/", scopesReleaseRead, s.listReleaseCommits},
		{"GET", orgPath + "/releases/{version}/deploys/", scopesReleaseRead, s.listDeploys},
		{"POST", orgPath + "/releases/{version}/deploys/", scopesReleaseWrite, s.createDeploy},
		{"GET", orgPath + "/releases/{version}/files/", scopesReleaseRead, s.listReleaseFiles},
		{"POST", orgPath + "/releases/{version}/files/", scopesReleaseWrite, s.uploadReleaseFile},
		{"GET", orgPath + "/releases/{version}/files/{file_id}/", scopesReleaseRead, s.getReleaseFile},
		{"PUT", orgPath + "/releases/{version}/files/{file_id}/", scopesReleaseWrite, s.updateReleaseFile},
		{"DELETE", orgPath + "/releases/{version}/files/{file_id}/", scopesReleaseAdmin, s.deleteReleaseFile},
		{"GET", projectPath + "/releases/", scopesReleaseRead, s.listReleases},
		// Creating a release through the project is what sentry-cli 2.x does; not in the API description.
		{"POST", projectPath + "/releases/", scopesReleaseWrite, s.createRelease},
		{"GET", projectPath + "/releases/{version}/commits/", scopesReleaseRead, s.listReleaseCommits},
		{"GET", projectPath + "/releases/{version}/files/", scopesReleaseRead, s.listReleaseFiles},
		{"POST", projectPath + "/releases/{version}/files/", scopesReleaseWrite, s.uploadReleaseFile},
		{"GET", projectPath + "/releases/{version}/files/{file_id}/", scopesReleaseRead, s.getReleaseFile},
		{"PUT", projectPath + "/releases/{version}/files/{file_id}/", scopesReleaseWrite, s.updateReleaseFile},
		{"DELETE", projectPath + "/releases/{version}/files/{file_id}/", scopesReleaseAdmin, s.deleteReleaseFile},

		// Issues and events.
		{"GET", orgPath + "/issues/", scopesEventRead, s.listIssues},
		{"PUT", orgPath + "/issues/", scopesEventWrite, s.bulkUpdateIssues},
		{"GET", orgPath + "/issues/{issue_id}/", scopesEventRead, s.getIssue},
		{"PUT", orgPath + "/issues/{issue_id}/", scopesEventWrite, s.updateIssue},
		{"DELETE", orgPath + "/issues/{issue_id}/", scopesEventAdmin, s.deleteIssue},
		{"GET", orgPath + "/issues/{issue_id}/events/", scopesEventRead, s.listIssueEvents},
		{"GET", orgPath + "/issues/{issue_id}/events/{event_id}/", scopesEventRead, s.getIssueEvent},
		{"GET", orgPath + "/issues/{issue_id}/tags/{key}/", scopesEventRead, s.getIssueTag},
		{"GET", orgPath + "/issues/{issue_id}/tags/{key}/values/", scopesEventRead, s.listIssueTagValues},
		{"GET", orgPath + "/issues/{issue_id}/external-issues/", scopesEventRead, s.listExternalIssues},
		{"GET", orgPath + "/shortids/{issue_id}/", scopesEventRead, s.resolveShortID},
		{"GET", orgPath + "/sentry-app-installations/", scopesIntegrations, s.listInstallations},
		{"POST", "/api/0/sentry-app-installations/{uuid}/external-issues/", []string{"event:write"}, s.createExternalIssue},
		{"DELETE", "/api/0/sentry-app-installations/{uuid}/external-issues/{external_issue_id}/", scopesEventAdmin, s.deleteExternalIssue},

		// Release health and event frequency.
		{"GET", orgPath + "/sessions/", scopesOrgRead, s.sessionsQuery},
		{"GET", orgPath + "/events-timeseries/", scopesOrgRead, s.eventsTimeseries},

		// Ownership, teams and members.
		{"GET", projectPath + "/ownership/", scopesProjectRead, s.getOwnership},
		{"PUT", projectPath + "/ownership/", scopesProjectRead, s.updateOwnership},
		{"GET", projectPath + "/teams/", scopesProjectRead, s.listProjectTeams},
		{"GET", projectPath + "/members/", scopesProjectRead, s.listProjectMembers},
		{"GET", orgPath + "/teams/", scopesOrgRead, s.listTeams},
		{"GET", "/api/0/teams/{organization_id_or_slug}/{team_id_or_slug}/members/", scopesTeamRead, s.listTeamMembers},
		{"GET", orgPath + "/members/", scopesMemberRead, s.listMembers},
		{"GET", orgPath + "/members/{member_id}/", scopesMemberRead, s.getMember},

		// Event ingestion, authenticated by the DSN key; not in the API description.
		{"POST", "/api/{project_id}/envelope/", nil, s.ingestEnvelope},
		{"POST", "/api/{project_id}/store/", nil, s.ingestStore},
	}
}
