// Package watch provides CloudTrail change detection: it reads CloudTrail
// records as they are delivered, picks out the configuration changes that
// weaken data protection, and reports each as a [Finding] with what a
// responder needs: who (the caller's ARN and type, the role behind a
// session, the service acting for it), when, from where (source IP, user
// agent), on what (resource ARNs), and which catalog rules the change
// breaks and which remediations undo it.
//
// AWS Config says a bucket is public; CloudTrail says who made it public,
// when and from where. A detection judges the request, not just the event
// name: a PutBucketPolicy is analysed with the same policy analyser the
// rules use (package rules/policy), an AuthorizeSecurityGroupIngress
// counts only when a /0 range reaches a restricted port, an UpdateTrail
// only when it turns validation, encryption or multi-region off.
//
// # Reading
//
// [Records] and [Session.Read] read CloudTrail log files as delivered to S3
// ({"Records": [...]}, gzip or plain), EventBridge events of CloudTrail API
// calls (one per file or one per line), single records and JSON arrays of
// records, streaming: a log file is never held whole. Digest files and S3
// test events hold no records and are skipped. Read-only calls and calls
// no detection looks at are skipped before they are decoded, from a single
// pass over their bytes. [Session.ReadObject] streams a log file from S3.
//
// # Judging
//
// [New] builds a [Watcher] once; [Watcher.NewSession] starts a run that
// gives at most one finding per eventID. [Detections] is the catalog. A
// call that failed (errorCode set) is reported at LOW when it would have
// been MEDIUM or above, naming the rules it would have broken; EC2 dry
// runs are no finding. Every other S3 bucket configuration change
// (Put*, Delete*, Create* on a bucket, not on objects) is reported at
// INFORMATIONAL. Calls by ignored principals ([WithIgnorePrincipals]) are
// skipped, and findings below [WithMinSeverity] dropped.
//
// A record whose parameters cannot be judged (missing, or not of the
// documented type) is an [*Error] naming the source, the record and the
// parameter; the watcher never guesses.
//
// # Sinks and response
//
// [SNS] publishes findings with PublishBatch, [JSONLines] writes them to
// a writer. [WithResponse] runs each finding's remediations through
// package remediate, as a plan unless told to apply, and attaches the plan
// or result to the finding. Package watchlambda is the Lambda adapter.
package watch
