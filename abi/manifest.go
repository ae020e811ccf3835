package abi

import (
	"errors"
	"strconv"

	"github.com/rpchost/rpchost/abi/internal/smallfmt"
)

// AppendManifest appends m, encoded as rpchost_describe returns it, to dst:
//
//	{"abi": 1, "methods": [{"name": str, "help": str, "signatures": [[str, ...], ...]}, ...]}
//
// It fails when m would not pass DecodeManifest (a bad or repeated method
// name, a bad signature), so that a guest finds out at build time rather
// than at load time.
func AppendManifest(dst []byte, m Manifest) ([]byte, error) {
	if err := m.check(); err != nil {
		return dst, err
	}
	dst = append(dst, mpFixMap|2)
	dst, _ = appendString(dst, "abi")
	dst = appendInt(dst, int64(m.ABI))
	dst, _ = appendString(dst, "methods")
	dst, err := appendLen(dst, len(m.Methods), mpFixArray, 16, 0, mpArray16, mpArray32)
	if err != nil {
		return dst, err
	}
	for _, md := range m.Methods {
		dst = append(dst, mpFixMap|3)
		dst, _ = appendString(dst, "name")
		dst, _ = appendString(dst, md.Name) // checked: ASCII
		dst, _ = appendString(dst, "help")
		if dst, err = appendString(dst, md.Help); err != nil {
			return dst, smallfmt.Wrap("manifest: method "+md.Name+": help: "+err.Error(), err)
		}
		dst, _ = appendString(dst, "signatures")
		if dst, err = appendLen(dst, len(md.Signatures), mpFixArray, 16, 0, mpArray16, mpArray32); err != nil {
			return dst, err
		}
		for _, sig := range md.Signatures {
			if dst, err = appendLen(dst, len(sig), mpFixArray, 16, 0, mpArray16, mpArray32); err != nil {
				return dst, err
			}
			for _, t := range sig {
				dst, _ = appendString(dst, t) // checked: a known type name
			}
		}
	}
	return dst, nil
}

// check validates method names (CheckMethodName, unique) and signatures
// (CheckSignature). It puts its messages together without the formatter:
// AppendManifest, and so check, is linked into every plugin. DecodeManifest
// runs only in the host and formats freely.
func (m Manifest) check() error {
	seen := make(map[string]bool, len(m.Methods))
	for i, md := range m.Methods {
		if err := CheckDeclaredMethodName(md.Name); err != nil {
			return smallfmt.Wrap("manifest: methods["+strconv.Itoa(i)+"]: "+err.Error(), err)
		}
		if seen[md.Name] {
			return errors.New("manifest: method " + md.Name + " is described twice")
		}
		seen[md.Name] = true
		for _, sig := range md.Signatures {
			if err := CheckSignature(sig); err != nil {
				return smallfmt.Wrap("manifest: method "+md.Name+": "+err.Error(), err)
			}
		}
	}
	return nil
}

// DecodeManifest decodes what rpchost_describe returned. Members it does not
// know are ignored, so a later minor revision may add some; "help" and
// "signatures" may be absent. A malformed manifest, a bad or repeated method
// name or a bad signature is an error wrapping ErrMalformed.
//
// When the manifest declares an ABI version other than Version, it returns
// a Manifest holding only that version and an error naming both; the rest
// of such a manifest is not read.
func DecodeManifest(b []byte) (Manifest, error) {
	v, rest, err := DecodeValue(b)
	if err != nil {
		return Manifest{}, smallfmt.Errorf("manifest: %w", err)
	}
	if len(rest) > 0 {
		return Manifest{}, &MalformedError{Offset: len(b) - len(rest),
			Reason: strconv.Itoa(len(rest)) + " unexpected bytes after the manifest"}
	}
	top, ok := v.(Struct)
	if !ok {
		return Manifest{}, manifestErr("manifest", "is %s, want struct", TypeName(v))
	}
	var m Manifest
	abi, ok := top.Get("abi")
	if !ok {
		return Manifest{}, manifestErr("manifest", `has no "abi" member`)
	}
	n, ok := abi.(int64)
	if !ok || int64(int(n)) != n {
		return Manifest{}, manifestErr("manifest abi", "is %s, want int", TypeName(abi))
	}
	m.ABI = int(n)
	if m.ABI != Version {
		return m, smallfmt.Errorf("manifest declares ABI version %d, this package speaks version %d", m.ABI, Version)
	}
	methods, ok := top.Get("methods")
	if !ok {
		return Manifest{}, manifestErr("manifest", `has no "methods" member`)
	}
	list, ok := methods.([]any)
	if !ok {
		return Manifest{}, manifestErr("manifest methods", "is %s, want array", TypeName(methods))
	}
	m.Methods = make([]MethodDesc, len(list))
	for i, e := range list {
		if m.Methods[i], err = decodeMethodDesc(e, "manifest methods["+strconv.Itoa(i)+"]"); err != nil {
			return Manifest{}, err
		}
	}
	if err := m.check(); err != nil {
		return Manifest{}, smallfmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return m, nil
}

func decodeMethodDesc(v any, path string) (MethodDesc, error) {
	var md MethodDesc
	s, ok := v.(Struct)
	if !ok {
		return md, manifestErr(path, "is %s, want struct", TypeName(v))
	}
	name, ok := s.Get("name")
	if !ok {
		return md, manifestErr(path, `has no "name" member`)
	}
	if md.Name, ok = name.(string); !ok {
		return md, manifestErr(path+".name", "is %s, want string", TypeName(name))
	}
	if help, ok := s.Get("help"); ok {
		if md.Help, ok = help.(string); !ok {
			return md, manifestErr(path+".help", "is %s, want string", TypeName(help))
		}
	}
	sigs, ok := s.Get("signatures")
	if !ok || sigs == nil {
		return md, nil
	}
	list, ok := sigs.([]any)
	if !ok {
		return md, manifestErr(path+".signatures", "is %s, want array", TypeName(sigs))
	}
	md.Signatures = make([][]string, len(list))
	for i, e := range list {
		sp := path + ".signatures[" + strconv.Itoa(i) + "]"
		types, ok := e.([]any)
		if !ok {
			return md, manifestErr(sp, "is %s, want array", TypeName(e))
		}
		sig := make([]string, len(types))
		for j, t := range types {
			if sig[j], ok = t.(string); !ok {
				return md, manifestErr(sp+"["+strconv.Itoa(j)+"]", "is %s, want string", TypeName(t))
			}
		}
		md.Signatures[i] = sig
	}
	return md, nil
}

func manifestErr(path, format string, args ...any) error {
	return smallfmt.Errorf("%w: %s %s", ErrMalformed, path, smallfmt.Sprintf(format, args...))
}
