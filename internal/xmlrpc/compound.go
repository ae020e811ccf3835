package xmlrpc

import (
	"github.com/rpchost/rpchost/abi"
	"github.com/rpchost/rpchost/internal/collect"
)

// enter counts one more level of <array>/<struct>, before anything inside
// it is read, so that deep nesting stops at the limit and recursion never
// goes deeper than MaxDepth.
func (d *decoder) enter(t tag) error {
	d.depth++
	if d.depth > d.lim.MaxDepth {
		return d.errAt(int(t.off), ErrLimit, "arrays and structs are nested more than %d deep (MaxDepth)", d.lim.MaxDepth)
	}
	return nil
}

// array reads <array><data><value>...</data></array> into a []any, or
// into d.enc when encoding (see encoded.go).
func (d *decoder) array(t tag) (any, error) {
	if d.encoding {
		return d.encoded(t, d.encodeArray)
	}
	var elems collect.List[any]
	err := d.arrayElems(t, func(v tag) error {
		val, err := d.value(v)
		if err == nil {
			elems.Add(val)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return elems.Result(), nil
}

// arrayElems reads <array><data><value>...</data></array>, handing each
// <value> start tag to each, which must read the value.
func (d *decoder) arrayElems(t tag, each func(v tag) error) error {
	if err := d.enter(t); err != nil {
		return err
	}
	const one = "<%s> must hold exactly one <data>"
	if t.empty() {
		return d.errAt(int(t.off), ErrInvalidRequest, one, d.qname(t))
	}
	data, err := d.child(t, &litData, nil)
	if err != nil {
		return err
	}
	if data.isEnd() || !d.is(data, "data") {
		return d.errAt(int(data.off), ErrInvalidRequest, one, d.qname(t))
	}
	for !data.empty() {
		v, err := d.child(data, &litValue, &litDataEnd)
		if err != nil {
			return err
		}
		if v.isEnd() {
			if err := d.matchEnd(data, v); err != nil {
				return err
			}
			break
		}
		if !d.is(v, "value") {
			return d.errAt(int(v.off), ErrInvalidRequest, "unexpected <%s> in <%s>; want <value>", d.qname(v), d.qname(data))
		}
		if err := d.count(v); err != nil {
			return err
		}
		if err := each(v); err != nil {
			return err
		}
	}
	if err := d.close(t); err != nil {
		return err
	}
	d.depth--
	return nil
}

// structure reads <struct><member>...</struct> into an abi.Struct, keeping
// document order, or into d.enc when encoding (see encoded.go).
func (d *decoder) structure(t tag) (any, error) {
	if d.encoding {
		return d.encoded(t, d.encodeStruct)
	}
	var members collect.List[abi.Member]
	err := d.structMembers(t, func(m tag) (string, error) {
		member, err := d.member(m)
		if err == nil {
			members.Add(member)
		}
		return member.Name, err
	})
	if err != nil {
		return nil, err
	}
	return abi.Struct(members.Result()), nil
}

// structMembers reads <struct><member>...</struct>, handing each <member>
// start tag to each, which must read the member and return its name; two
// members of one name are an error.
func (d *decoder) structMembers(t tag, each func(m tag) (string, error)) error {
	if err := d.enter(t); err != nil {
		return err
	}
	var dups dupFinder
	base := len(d.memberNames) // this struct's names so far are d.memberNames[base:]
	defer func() { d.memberNames = d.memberNames[:base] }()
	for !t.empty() {
		m, err := d.child(t, &litMember, &litStructEnd)
		if err != nil {
			return err
		}
		if m.isEnd() {
			if err := d.matchEnd(t, m); err != nil {
				return err
			}
			break
		}
		if !d.is(m, "member") {
			return d.errAt(int(m.off), ErrInvalidRequest, "unexpected <%s> in <%s>; want <member>", d.qname(m), d.qname(t))
		}
		if err := d.count(m); err != nil {
			return err
		}
		name, err := each(m)
		if err != nil {
			return err
		}
		if dups.add(name, d.memberNames[base:]) {
			return d.errAt(int(m.off), ErrInvalidRequest, "<%s> has two members named %s", d.qname(t), quote([]byte(name)))
		}
		d.memberNames = append(d.memberNames, name)
	}
	d.depth--
	return nil
}

// member reads a <member>: one <name> and one <value>, in either order.
// When encoding, a <value> before its <name> stops the encoding (see
// errValueFirst).
func (d *decoder) member(m tag) (abi.Member, error) {
	var out abi.Member
	haveName, haveValue := false, false
	if !m.empty() && m.local == m.off+1 {
		// The form nearly every client writes, <name>, <value>,
		// </member>, read with a literal each instead of child and a
		// switch on the name; at the first difference the loop below
		// takes over from where this stopped, as if it had read the
		// same tags.
		if i, ok := d.literal(&litName); ok {
			haveName = true
			if err := d.memberName(&out, plainStartTag(i, &litName)); err != nil {
				return out, err
			}
			if i, ok := d.literal(&litValue); ok {
				haveValue = true
				var err error
				if out.Value, err = d.value(plainStartTag(i, &litValue)); err != nil {
					return out, err
				}
				if _, ok := d.literal(&litMemberEnd); ok {
					return out, nil
				}
			}
		}
	}
	for !m.empty() {
		var t tag
		var err error
		if haveName {
			t, err = d.child(m, &litValue, &litMemberEnd)
		} else {
			t, err = d.child(m, &litName, &litMemberEnd)
		}
		if err != nil {
			return out, err
		}
		if t.isEnd() {
			if err := d.matchEnd(m, t); err != nil {
				return out, err
			}
			break
		}
		switch string(d.local(t)) {
		case "name":
			if haveName {
				return out, d.errAt(int(t.off), ErrInvalidRequest, "<%s> has a second <%s>", d.qname(m), d.qname(t))
			}
			haveName = true
			if err := d.memberName(&out, t); err != nil {
				return out, err
			}
		case "value":
			if haveValue {
				return out, d.errAt(int(t.off), ErrInvalidRequest, "<%s> has a second <%s>", d.qname(m), d.qname(t))
			}
			haveValue = true
			if d.inEncoded && !haveName {
				return out, errValueFirst
			}
			if out.Value, err = d.value(t); err != nil {
				return out, err
			}
		default:
			return out, d.errAt(int(t.off), ErrInvalidRequest, "unexpected <%s> in <%s>; want <name> and <value>", d.qname(t), d.qname(m))
		}
	}
	if !haveName {
		return out, d.errAt(int(m.off), ErrInvalidRequest, "<%s> has no <name>", d.qname(m))
	}
	if !haveValue {
		return out, d.errAt(int(m.off), ErrInvalidRequest, "<%s> %s has no <value>", d.qname(m), quote([]byte(out.Name)))
	}
	return out, nil
}

// memberName reads the <name> t of a member into out.
func (d *decoder) memberName(out *abi.Member, t tag) error {
	name, err := d.text(t, &litNameEnd)
	if err != nil {
		return err
	}
	out.Name = d.names.get(name)
	if d.inEncoded {
		d.enc = appendStr(d.enc, name)
	}
	return nil
}
