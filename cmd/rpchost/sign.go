package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/rpchost/rpchost/internal/modsig"
)

func newKeygenCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "keygen KEYFILE",
		Short: "Make an ed25519 key to sign modules with (deploy.trusted_keys)",
		Long: `Make a new ed25519 key pair for signing modules. The private key is written to
KEYFILE (PKCS #8 PEM, readable by its owner only; an existing file is never
overwritten) and the public key is printed on standard output, as
deploy.trusted_keys takes it: the base64 of its 32 bytes.

Keep KEYFILE where modules are built and approved, not on the servers: they
need the public key only.`,
		Example: `  rpchost keygen deploy.key            # prints the public key
  rpchost sign deploy.key echo.wasm     # writes echo.wasm.sig`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pub, priv, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				return err
			}
			pemBytes, err := modsig.EncodePrivateKey(priv)
			if err != nil {
				return err
			}
			if err := writeNew(args[0], pemBytes); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), modsig.EncodePublicKey(pub))
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote the private key to %s (mode 0600); add the public key above to deploy.trusted_keys\n", args[0])
			return nil
		},
	}
}

// writeNew writes a file that must not exist yet, readable by its owner
// only, from its creation on: the key is never readable by others, even
// for an instant.
func writeNew(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s exists already; keygen never overwrites a key (remove it first, or choose another file)", path)
	}
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		_ = os.Remove(path)
		return err
	}
	return nil
}

func newSignCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "sign KEYFILE FILE.wasm",
		Short: "Sign a module for servers with deploy.trusted_keys (writes FILE.wasm.sig)",
		Long: `Sign a module with the private key in KEYFILE (as rpchost keygen or
openssl genpkey -algorithm ed25519 writes it) and write the detached signature
to FILE.wasm.sig: upload it with rpchost upload --sig FILE.wasm.sig, or copy it
beside the module into the plugin directory.

What is signed is the text "rpchost module v1\n" followed by the 32 bytes of
the module's SHA-256 digest; the .sig file holds the base64 of the 64-byte
ed25519 signature (README, "Signed and pinned modules").`,
		Example: `  rpchost sign deploy.key echo.wasm
  rpchost upload echo.wasm --sig echo.wasm.sig`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			pemBytes, err := readBounded(args[0], 64<<10)
			if err != nil {
				return err
			}
			key, err := modsig.ParsePrivateKey(pemBytes)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			module, err := os.ReadFile(args[1])
			if err != nil {
				return err
			}
			sigPath := args[1] + ".sig"
			if err := os.WriteFile(sigPath, modsig.Encode(modsig.Sign(key, module)), 0o644); err != nil {
				return err
			}
			sum := sha256.Sum256(module)
			fmt.Fprintf(cmd.OutOrStdout(), "signed %s (sha256 %s) with the key %s: %s\n",
				args[1], hex.EncodeToString(sum[:]), modsig.EncodePublicKey(key.Public().(ed25519.PublicKey)), sigPath)
			return nil
		},
	}
}

// readBounded reads a small file, refusing one over limit bytes: a key or
// a signature, never something large by mistake.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is over %d bytes: not a key or signature file", path, limit)
	}
	return b, nil
}
