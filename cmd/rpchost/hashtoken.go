package main

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// minTokenLength is the shortest token hash-token hashes: 22 characters of
// base64 are 128 bits. The configuration keeps an unsalted SHA-256, which
// is safe only for a token nobody can guess (RATIONALE.md).
const minTokenLength = 22

func newHashTokenCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hash-token",
		Short: "Make a caller's token and the hash to put in auth.callers",
		Long: `Make a new random token (256 bits) for a caller of auth.callers, and print it
with its SHA-256, the value of auth.callers.<name>.token_sha256. Give the token
to the caller (it is not kept anywhere); put the hash in the configuration.

With --stdin, hash a token read from standard input (one line) instead; it
must have at least 22 characters, as a random token of 128 bits has.`,
		Example: `  rpchost hash-token
  printf %s "$TOKEN" | rpchost hash-token --stdin`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fromStdin, _ := cmd.Flags().GetBool("stdin")
			out := cmd.OutOrStdout()
			if fromStdin {
				token, err := readToken(cmd.InOrStdin())
				if err != nil {
					return err
				}
				_, err = fmt.Fprintln(out, tokenHash(token))
				return err
			}
			token := newToken()
			_, err := fmt.Fprintf(out, "token:        %s\ntoken_sha256: %s\n", token, tokenHash(token))
			return err
		},
	}
	cmd.Flags().Bool("stdin", false, "hash a token read from standard input instead of making one")
	return cmd
}

// newToken is 32 random bytes in unpadded base64url: safe in a URL's
// user info (https://name:token@host/) and an Authorization header.
func newToken() string {
	return base64.RawURLEncoding.EncodeToString(randomBytes(32))
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func readToken(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the token: %w", err)
	}
	token := strings.TrimRight(line, "\r\n")
	switch {
	case token != strings.TrimSpace(token):
		return "", errors.New("the token has leading or trailing whitespace: remove it")
	case len(token) < minTokenLength:
		return "", fmt.Errorf("the token has %d characters, fewer than %d: use a random token (rpchost hash-token makes one)", len(token), minTokenLength)
	}
	return token, nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it crashes the program instead)
	return b
}
