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

// array reads <array><data><value>...</data></array>.
func (d *decoder) array(t tag) (any, error) {
	if err := d.enter(t); err != nil {
		return nil, err
	}
	const one = "<%s> must hold exactly one <data>"
	if t.empty() {
		return nil, d.errAt(int(t.off), ErrInvalidRequest, one, d.qname(t))
	}
	data, err := d.child(t, "<data>", "")
	if err != nil {
		return nil, err
	}
	if data.isEnd() || !d.is(data, "data") {
		return nil, d.errAt(int(data.off), ErrInvalidRequest, one, d.qname(t))
	}
	var elems collect.List[any]
	for !data.empty() {
		v, err := d.child(data, "<value>", "</data>")
		if err != nil {
			return nil, err
		}
		if v.isEnd() {
			if err := d.matchEnd(data, v); err != nil {
				return nil, err
			}
			break
		}
		if !d.is(v, "value") {
			return nil, d.errAt(int(v.off), ErrInvalidRequest, "unexpected <%s> in <%s>; want <value>", d.qname(v), d.qname(data))
		}
		if err := d.count(v); err != nil {
			return nil, err
		}
		val, err := d.value(v)
		if err != nil {
			return nil, err
		}
		elems.Add(val)
	}
	if err := d.close(t); err != nil {
		return nil, err
	}
	d.depth--
	return elems.Result(), nil
}

// structure reads <struct><member>...</struct>, keeping document order.
func (d *decoder) structure(t tag) (any, error) {
	if err := d.enter(t); err != nil {
		return nil, err
	}
	var members collect.List[abi.Member]
	var dups dupFinder
	for !t.empty() {
		m, err := d.child(t, "<member>", "</struct>")
		if err != nil {
			return nil, err
		}
		if m.isEnd() {
			if err := d.matchEnd(t, m); err != nil {
				return nil, err
			}
			break
		}
		if !d.is(m, "member") {
			return nil, d.errAt(int(m.off), ErrInvalidRequest, "unexpected <%s> in <%s>; want <member>", d.qname(m), d.qname(t))
		}
		if err := d.count(m); err != nil {
			return nil, err
		}
		member, err := d.member(m)
		if err != nil {
			return nil, err
		}
		if dups.add(member.Name, members.SoFar()) {
			return nil, d.errAt(int(m.off), ErrInvalidRequest, "<%s> has two members named %s", d.qname(t), quote([]byte(member.Name)))
		}
		members.Add(member)
	}
	d.depth--
	return abi.Struct(members.Result()), nil
}

// member reads a <member>: one <name> and one <value>, in either order.
func (d *decoder) member(m tag) (abi.Member, error) {
	var out abi.Member
	haveName, haveValue := false, false
	for !m.empty() {
		var t tag
		var err error
		if haveName {
			t, err = d.child(m, "<value>", "</member>")
		} else {
			t, err = d.child(m, "<name>", "</member>")
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
			name, err := d.text(t, "</name>")
			if err != nil {
				return out, err
			}
			out.Name = d.names.get(name)
		case "value":
			if haveValue {
				return out, d.errAt(int(t.off), ErrInvalidRequest, "<%s> has a second <%s>", d.qname(m), d.qname(t))
			}
			haveValue = true
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
