// Package watchlambda provides the Lambda adapter of package watch: it
// decodes the events that announce new CloudTrail log files (S3
// ObjectCreated notifications, directly, in SNS, in SQS, or as EventBridge
// Object Created events; CloudTrail's own SNS delivery notices) and
// EventBridge CloudTrail API call events, reads each log file from S3 as a
// stream, and sends the findings to a sink, such as SNS.
//
// # Failures
//
// Every file of an invocation is processed even when another fails. A file
// that cannot be read (GetObject fails, a truncated gzip, a file that is
// not a CloudTrail log) or whose findings could not all be published fails
// the invocation, or for SQS its message (batchItemFailures), with an
// error naming the bucket and key, so that it is delivered again. A record
// that cannot be judged is logged with its key and record index and the
// file goes on: a retry would meet it again. Within an invocation no
// eventID is published twice; across Lambda's retries delivery is at least
// once, and FIFO topics deduplicate by eventID.
package watchlambda

import (
	"io"
	"os"
)

// logOutput is where the default logger writes.
var logOutput io.Writer = os.Stderr
