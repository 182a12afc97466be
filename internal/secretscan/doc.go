// Package secretscan provides the detection of plaintext secrets in
// configuration values, such as Lambda environment variables: AWS access
// key ids, PEM private keys, passwords embedded in URLs and connection
// strings, and high-entropy values under secret-like names.
//
// A [Finding] names the variable and the kind of secret, never the value,
// so that it can go into annotations and logs.
package secretscan
