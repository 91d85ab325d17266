package store_test

import (
	"errors"
	"testing"

	"github.com/releasegate/releasegate/internal/store"
)

func TestEffectsLedger(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		s := openStore(t, url, store.Options{Now: fixedClock(at)})
		ctx := t.Context()
		const key = "check-run:acme/shop:0123abcd"
		steps := []struct {
			name   string
			owner  string
			want   store.Outcome
			finish bool
		}{
			{name: "first attempt records", owner: "job:1", want: store.Proceed},
			{name: "another owner leaves it", owner: "job:2", want: store.HeldByOther},
			{name: "the owner's retry resumes", owner: "job:1", want: store.Resume, finish: true},
			{name: "after completion nobody repeats it", owner: "job:2", want: store.AlreadyDone},
			{name: "not even the owner", owner: "job:1", want: store.AlreadyDone},
		}
		for _, st := range steps {
			eff, got, err := s.BeginEffect(ctx, key, st.owner)
			if err != nil || got != st.want {
				t.Fatalf("%s: BeginEffect = %v, %v; want %v", st.name, got, err, st.want)
			}
			if eff.Owner != "job:1" || !eff.CreatedAt.Equal(at) {
				t.Errorf("%s: effect = %+v; want job:1's, created at %v", st.name, eff, at)
			}
			if st.finish {
				if err := s.CompleteEffect(ctx, key, "job:2", nil); !errors.Is(err, store.ErrNotOwner) {
					t.Errorf("another owner completing: %v, want ErrNotOwner", err)
				}
				for range 2 { // the second completion is a retry whose answer was lost
					if err := s.CompleteEffect(ctx, key, st.owner, []byte("check-run 5")); err != nil {
						t.Fatalf("CompleteEffect: %v", err)
					}
				}
			}
		}
		eff, err := s.Effect(ctx, key)
		if err != nil || eff.State != store.EffectDone || string(eff.Result) != "check-run 5" || !eff.DoneAt.Equal(at) {
			t.Errorf("Effect = %+v, %v; want done with its result", eff, err)
		}
		if _, err := s.Effect(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Effect(unknown) = %v, want ErrNotFound", err)
		}
		if err := s.CompleteEffect(ctx, "nope", "job:1", nil); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("CompleteEffect(unknown) = %v, want ErrNotFound", err)
		}
	})
}
