package remediate

import (
	"testing"

	"github.com/guardrails-go/guardrails/internal/awsfake"
)

const (
	testRegion  = awsfake.Region
	testAccount = "123456789012"
	maxAttempts = awsfake.MaxAttempts
)

type (
	call    = awsfake.Call
	reply   = awsfake.Reply
	handler = awsfake.Handler
)

// fakeAWS is the shared fake AWS with the state helpers of these tests.
type fakeAWS struct {
	*awsfake.Fake
	t testing.TB
}

func newFakeAWS(t testing.TB) *fakeAWS { return &fakeAWS{Fake: awsfake.New(t), t: t} }

func (f *fakeAWS) on(api string, h handler)  { f.On(api, h) }
func (f *fakeAWS) reply(api string, r reply) { f.Reply(api, r) }
func (f *fakeAWS) fail(api string, status int, code, message string) {
	f.Fail(api, status, code, message)
}
func (f *fakeAWS) errorReply(api string, status int, code, message string) reply {
	return awsfake.ErrorReply(api, status, code, message)
}
func (f *fakeAWS) apis() []string { return f.APIs() }
func (f *fakeAWS) writes() []call { return f.Writes() }
func (f *fakeAWS) reset()         { f.Reset() }

func ok200(body string) reply { return awsfake.OK(body) }

// clients builds Clients from the real SDK clients pointed at the fake.
func (f *fakeAWS) clients() *Clients {
	c := f.Clients()
	return &Clients{S3: c.S3, S3Control: c.S3Control, EC2: c.EC2, CloudTrail: c.CloudTrail, IAM: c.IAM, KMS: c.KMS, RDS: c.RDS, Region: testRegion}
}
