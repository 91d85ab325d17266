package store_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/store"
)

// movableClock is a clock the test moves; safe for the concurrent claims.
type movableClock struct{ us atomic.Int64 }

func newClock(t time.Time) *movableClock {
	c := &movableClock{}
	c.us.Store(t.UnixMicro())
	return c
}

func (c *movableClock) now() time.Time      { return time.UnixMicro(c.us.Load()).UTC() }
func (c *movableClock) add(d time.Duration) { c.us.Add(d.Microseconds()) }
func (c *movableClock) opts() store.Options { return store.Options{Now: c.now} }
func workerName(i int) string               { return fmt.Sprintf("job:%d", i) }
func prOf(repo string, n int) store.PR      { return store.PR{Repo: repo, Number: n} }

// race runs claim for n workers at once and returns each one's outcome.
func race(t *testing.T, n int, claim func(worker string) (store.Outcome, error)) []store.Outcome {
	t.Helper()
	outcomes := make([]store.Outcome, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			o, err := claim(workerName(i))
			if err != nil {
				t.Errorf("%s: claim: %v", workerName(i), err)
				return
			}
			outcomes[i] = o
		})
	}
	close(start)
	wg.Wait()
	return outcomes
}

// onlyWinner checks that exactly one outcome is Proceed and the rest HeldByOther, and
// returns the winner's worker name.
func onlyWinner(t *testing.T, outcomes []store.Outcome) string {
	t.Helper()
	winner := -1
	for i, o := range outcomes {
		switch o {
		case store.Proceed:
			if winner >= 0 {
				t.Errorf("workers %d and %d both got Proceed", winner, i)
			}
			winner = i
		case store.HeldByOther:
		default:
			t.Errorf("worker %d got %v, want proceed or held by another", i, o)
		}
	}
	if winner < 0 {
		t.Fatal("no worker got Proceed")
	}
	return workerName(winner)
}

func TestClaimTicketIsExclusiveUnderConcurrency(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		clock := newClock(at)
		s := openStore(t, url, clock.opts())
		ctx := t.Context()
		const owner, issue = "acme", "4711"
		owner0 := onlyWinner(t, race(t, 50, func(w string) (store.Outcome, error) {
			c, err := s.ClaimTicket(ctx, owner, issue, w)
			return c.Outcome, err
		}))
		// The winner, retried after a crash before recording the key, resumes (it searches
		// Jira first); the others are still held off.
		steps := []struct {
			name   string
			worker string
			record string // RecordTicket with this key after the claim
			want   store.Outcome
		}{
			{name: "the winner's retry resumes", worker: owner0, want: store.Resume, record: "SHOP-1"},
			{name: "a late duplicate webhook reuses the ticket", worker: "job:late", want: store.AlreadyDone},
			{name: "so does the winner", worker: owner0, want: store.AlreadyDone},
		}
		for _, st := range steps {
			c, err := s.ClaimTicket(ctx, owner, issue, st.worker)
			if err != nil || c.Outcome != st.want {
				t.Fatalf("%s: ClaimTicket = %s, %v; want %v", st.name, c.Outcome, err, st.want)
			}
			if c.Link.ClaimedBy != owner0 {
				t.Errorf("%s: claimed by %q, want %q", st.name, c.Link.ClaimedBy, owner0)
			}
			if st.record == "" {
				if c.Link.JiraKey != "SHOP-1" || c.Link.TicketState != store.TicketCreated {
					t.Errorf("%s: link = %+v, want the key SHOP-1", st.name, c.Link)
				}
				continue
			}
			for range 2 { // the second is a retry whose answer was lost
				if l, err := s.RecordTicket(ctx, owner, issue, st.record); err != nil || l.JiraKey != st.record || !l.TicketAt.Equal(at) {
					t.Fatalf("RecordTicket = %+v, %v", l, err)
				}
			}
		}
		l, err := s.RecordTicket(ctx, owner, issue, "SHOP-2")
		if !errors.Is(err, store.ErrOtherTicket) || l.JiraKey != "SHOP-1" {
			t.Errorf("a second key: %+v, %v; want SHOP-1 kept and ErrOtherTicket", l, err)
		}
	})
}

func TestClaimTicketAfterACrash(t *testing.T) {
	t.Parallel()
	lease := 10 * time.Minute
	forEachEngine(t, func(t *testing.T, url string) {
		clock := newClock(at)
		s := openStore(t, url, store.Options{Now: clock.now, TriageClaimLease: lease})
		ctx := t.Context()
		const owner, issue = "acme", "99"
		steps := []struct {
			name    string
			advance time.Duration
			worker  string
			want    store.Outcome
			holder  string
		}{
			{name: "the first worker claims", worker: "job:1", want: store.Proceed, holder: "job:1"},
			{name: "within the lease another is held off", advance: lease - time.Second, worker: "job:2", want: store.HeldByOther, holder: "job:1"},
			{name: "the claimer's retry renews its claim", worker: "job:1", want: store.Resume, holder: "job:1"},
			{name: "still held off a lease after the first claim", advance: time.Minute, worker: "job:2", want: store.HeldByOther, holder: "job:1"},
			{name: "an abandoned claim is taken over, to resume", advance: lease, worker: "job:2", want: store.Resume, holder: "job:2"},
			{name: "the old claimer has lost it", worker: "job:1", want: store.HeldByOther, holder: "job:2"},
		}
		for _, st := range steps {
			clock.add(st.advance)
			c, err := s.ClaimTicket(ctx, owner, issue, st.worker)
			if err != nil || c.Outcome != st.want || c.Link.ClaimedBy != st.holder || c.Link.TicketState != store.TicketClaimed {
				t.Fatalf("%s: ClaimTicket = %s %+v, %v; want %v held by %s", st.name, c.Outcome, c.Link, err, st.want, st.holder)
			}
			if c.Link.ClaimedBy == st.worker && !c.Link.ClaimedAt.Equal(clock.now()) {
				t.Errorf("%s: claimed at %v, want now (%v)", st.name, c.Link.ClaimedAt, clock.now())
			}
		}
		if _, err := s.ClaimTicket(ctx, owner, issue, ""); err == nil {
			t.Error("a claim without a worker succeeded")
		}
	})
}

func TestClaimCommentIsExclusiveUnderConcurrency(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		clock := newClock(at)
		s := openStore(t, url, clock.opts())
		ctx := t.Context()
		pr := prOf("Acme/Shop", 42)
		winner := onlyWinner(t, race(t, 50, func(w string) (store.Outcome, error) {
			c, err := s.ClaimComment(ctx, pr, w)
			return c.Outcome, err
		}))
		if c, err := s.ClaimComment(ctx, prOf("acme/shop", 42), winner); err != nil || c.Outcome != store.Resume {
			t.Fatalf("the winner's retry (another spelling of the repo) = %v, %v; want resume", c.Outcome, err)
		}
		for range 2 {
			if c, err := s.SetComment(ctx, pr, 9001); err != nil || c.CommentID != 9001 || c.State != store.CommentPosted {
				t.Fatalf("SetComment = %+v, %v", c, err)
			}
		}
		if c, err := s.SetComment(ctx, pr, 9002); !errors.Is(err, store.ErrOtherComment) || c.CommentID != 9001 {
			t.Errorf("a second comment: %+v, %v; want 9001 kept and ErrOtherComment", c, err)
		}
		c, err := s.ClaimComment(ctx, pr, "job:late")
		if err != nil || c.Outcome != store.AlreadyDone || c.Comment.CommentID != 9001 {
			t.Errorf("a later worker's claim = %+v, %v; want already done with comment 9001", c, err)
		}
		// Someone deleted the comment: a stale ID forgets nothing, the recorded one does,
		// and the next worker posts it anew.
		if err := s.ForgetComment(ctx, pr, 1234); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Comment(ctx, pr); got.CommentID != 9001 {
			t.Errorf("forgetting a stale ID changed the record to %+v", got)
		}
		if err := s.ForgetComment(ctx, pr, 9001); err != nil {
			t.Fatal(err)
		}
		if c, err := s.ClaimComment(ctx, pr, "job:next"); err != nil || c.Outcome != store.Proceed || c.Comment.CommentID != 0 {
			t.Errorf("claim after forgetting = %+v, %v; want proceed", c, err)
		}
		if _, err := s.Comment(ctx, prOf("acme/shop", 7)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Comment(unknown) = %v, want ErrNotFound", err)
		}
	})
}

func TestClaimCommentAfterACrash(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		clock := newClock(at)
		s := openStore(t, url, clock.opts())
		ctx := t.Context()
		pr := prOf("acme/shop", 5)
		if c, err := s.ClaimComment(ctx, pr, "job:1"); err != nil || c.Outcome != store.Proceed {
			t.Fatalf("first claim = %v, %v", c.Outcome, err)
		}
		clock.add(store.DefaultTriageClaimLease - time.Second)
		if c, err := s.ClaimComment(ctx, pr, "job:2"); err != nil || c.Outcome != store.HeldByOther {
			t.Errorf("within the default lease = %v, %v; want held by another", c.Outcome, err)
		}
		clock.add(time.Second)
		c, err := s.ClaimComment(ctx, pr, "job:2")
		if err != nil || c.Outcome != store.Resume || c.Comment.ClaimedBy != "job:2" {
			t.Errorf("past the default lease = %+v, %v; want job:2 to resume", c, err)
		}
	})
}

func TestLinksOfPR(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		clock := newClock(at)
		s := openStore(t, url, clock.opts())
		ctx := t.Context()
		shop := prOf("Acme/Shop", 42)
		for i, id := range []string{"1", "2", "3"} {
			clock.add(time.Minute)
			if _, err := s.TrackIssue(ctx, "acme", id, fmt.Sprintf("WEB-%d", 10+i)); err != nil {
				t.Fatal(err)
			}
			prev, err := s.SetSuspect(ctx, "acme", id, shop)
			if err != nil || !prev.IsZero() {
				t.Fatalf("SetSuspect = %v, %v; want no previous suspect", prev, err)
			}
		}
		// Recorded before it was tracked: the order of calls does not matter.
		if _, err := s.SetSuspect(ctx, "acme", "4", prOf("acme/other", 1)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TrackIssue(ctx, "acme", "4", "API-1"); err != nil {
			t.Fatal(err)
		}
		// Another analysis moves issue 2 to another PR: the first PR's comment must drop it.
		prev, err := s.SetSuspect(ctx, "acme", "2", prOf("acme/shop", 43))
		if err != nil || prev != prOf("acme/shop", 42) {
			t.Errorf("moving the suspect: previous = %v, %v; want acme/shop#42", prev, err)
		}
		if _, err := s.SetComment(ctx, shop, 555); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordTicket(ctx, "acme", "3", "SHOP-9"); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			pr   store.PR
			want string
		}{
			{name: "newest first, comment and key joined", pr: prOf("acme/SHOP", 42), want: "[WEB-12 acme/shop#42 555 SHOP-9; WEB-10 acme/shop#42 555 ]"},
			{name: "the moved issue", pr: prOf("acme/shop", 43), want: "[WEB-11 acme/shop#43 0 ]"},
			{name: "tracked after its suspect", pr: prOf("acme/other", 1), want: "[API-1 acme/other#1 0 ]"},
			{name: "none", pr: prOf("acme/shop", 1), want: "[]"},
		}
		for _, tt := range tests {
			ls, err := s.LinksOfPR(ctx, tt.pr)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			var got []string
			for _, l := range ls {
				got = append(got, fmt.Sprintf("%s %s %d %s", l.ShortID, l.Suspect, l.CommentID, l.JiraKey))
			}
			if s := "[" + strings.Join(got, "; ") + "]"; s != tt.want {
				t.Errorf("%s: LinksOfPR = %s, want %s", tt.name, s, tt.want)
			}
		}
		if _, err := s.LinksOfPR(ctx, store.PR{}); err == nil {
			t.Error("LinksOfPR of no PR succeeded")
		}
	})
}

func TestLinkAndFix(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		clock := newClock(at)
		s := openStore(t, url, clock.opts())
		ctx := t.Context()
		if _, err := s.Link(ctx, "acme", "1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Link(unknown) = %v, want ErrNotFound", err)
		}
		if _, err := s.TrackIssue(ctx, "acme", "1", "WEB-1"); err != nil {
			t.Fatal(err)
		}
		clock.add(time.Hour)
		// The issue moved project: its short ID changed; the link is the same.
		l, err := s.TrackIssue(ctx, "acme", "1", "SHOP-7")
		if err != nil || l.ShortID != "SHOP-7" || !l.CreatedAt.Equal(at) || !l.UpdatedAt.Equal(at.Add(time.Hour)) || l.TicketState != store.TicketNone {
			t.Errorf("re-tracked link = %+v, %v", l, err)
		}
		for _, q := range []string{"shop-7", "SHOP-7"} {
			if got, err := s.LinkByShortID(ctx, "acme", q); err != nil || got.IssueID != "1" {
				t.Errorf("LinkByShortID(%s) = %+v, %v", q, got, err)
			}
		}
		for _, q := range []string{"WEB-1", ""} {
			if _, err := s.LinkByShortID(ctx, "acme", q); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("LinkByShortID(%q) = %v, want ErrNotFound", q, err)
			}
		}
		if _, err := s.LinkByShortID(ctx, "other", "SHOP-7"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another owner's issue was found: %v", err)
		}
		fixes := []struct {
			name  string
			fix   store.PR
			first bool
		}{
			{name: "the merge", fix: prOf("Acme/Shop", 50), first: true},
			{name: "its redelivery", fix: prOf("acme/shop", 50)},
			{name: "another PR naming it", fix: prOf("acme/shop", 51)},
		}
		for _, f := range fixes {
			clock.add(time.Minute)
			l, first, err := s.SetFix(ctx, "acme", "1", f.fix)
			if err != nil || first != f.first || l.Fix != prOf("acme/shop", 50) || !l.ResolvedAt.Equal(at.Add(time.Hour+time.Minute)) {
				t.Errorf("%s: SetFix = %+v, %v, %v; want first=%v, fixed by acme/shop#50", f.name, l, first, err, f.first)
			}
		}
		if _, err := s.TrackIssue(ctx, "", "1", "X-1"); err == nil {
			t.Error("a link without an owner was recorded")
		}
	})
}

func TestTriageLinksSurviveReopening(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		first := openStore(t, url, store.Options{})
		if _, err := first.RecordTicket(t.Context(), "acme", "1", "SHOP-1"); err != nil {
			t.Fatal(err)
		}
		_ = first.Close()
		again := openStore(t, url, store.Options{})
		if err := again.Ready(t.Context()); err != nil {
			t.Fatalf("Ready after reopening: %v", err)
		}
		if l, err := again.Link(t.Context(), "acme", "1"); err != nil || l.JiraKey != "SHOP-1" {
			t.Errorf("the link after reopening = %+v, %v", l, err)
		}
	})
}
