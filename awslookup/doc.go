// Package awslookup provides an [evaluate.Lookup] that answers a rule's
// questions about other resources from the AWS Config API, as a rule running
// in Lambda needs.
//
// [Lookup.Resource] reads the latest configuration item of one resource with
// GetResourceConfigHistory (limit 1). [Lookup.Resources] lists a type with
// the ListDiscoveredResources paginator and reads each page of up to 100
// resources with one BatchGetResourceConfig call, pages being fetched while
// the listing goes on. Per-type resolvers ([Resolver]) registered with [WithResolver]
// answer for the types Config records poorly or not at all (a VPC's flow
// logs, an instance's SSM inventory); account facts come from the
// [evaluate.Facts] given with [WithFacts].
//
// # Never a guess
//
// An empty listing is ambiguous: no resource of the type exists, or Config
// does not record the type. When a listing is empty (or a resource is not
// discovered) the lookup reads the configuration recorders once
// (DescribeConfigurationRecorders) and answers [evaluate.ErrUnknown] when no
// recorder records the type, so a rule says INSUFFICIENT_DATA instead of
// concluding from missing data. API failures wrap [evaluate.ErrUnknown] and
// the API error; a deleted resource is [evaluate.ErrNotFound].
//
// # Scope and caching
//
// The Config API sees one account and one region: those of the client's
// credentials and region. [WithScope] names them, and queries for another
// account or region answer [evaluate.ErrUnknown]. A Lookup caches what it
// reads for its lifetime, concurrent callers of one query sharing one
// request: build one per evaluation run (one per Lambda invocation), so
// answers are fresh and the credentials are the run's.
//
// # Limits
//
// Items read with BatchGetResourceConfig carry neither relationships nor
// the top-level tags map (the API returns neither): their Unknown lists
// "tags" and "relationships", so a rule that needs them can tell "not
// known" from "none" (tags inside configuration, where a type records them,
// are there). Items read with [Lookup.Resource] carry both. Resources whose
// status is ResourceNotRecorded or deleted are left out of listings.
//
// Permissions: config:GetResourceConfigHistory, config:ListDiscoveredResources,
// config:BatchGetResourceConfig, config:DescribeConfigurationRecorders.
package awslookup
