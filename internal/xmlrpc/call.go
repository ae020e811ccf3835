package xmlrpc

import "github.com/rpchost/rpchost/internal/collect"

// methodCall reads the children of <methodCall>: one <methodName> and at
// most one <params>. The spec puts them in that order; none of the
// clients that matter rely on a server enforcing it, so either is read.
func (d *decoder) methodCall(root tag) (Request, error) {
	var req Request
	haveName := false
	for !root.empty() {
		var t tag
		var err error
		if haveName {
			t, err = d.child(root, &litParams, &litMethodCallEnd)
		} else {
			t, err = d.child(root, &litMethodName, &litMethodCallEnd)
		}
		if err != nil {
			return req, err
		}
		if t.isEnd() {
			if err := d.matchEnd(root, t); err != nil {
				return req, err
			}
			break
		}
		switch string(d.local(t)) {
		case "methodName":
			if haveName {
				return req, d.errAt(int(t.off), ErrInvalidRequest, "<%s> has a second <%s>", d.qname(root), d.qname(t))
			}
			haveName = true
			name, err := d.text(t, &litMethodNameEnd)
			if err != nil {
				return req, err
			}
			if len(name) == 0 {
				return req, d.errAt(int(t.off), ErrInvalidRequest, "<%s> is empty", d.qname(t))
			}
			req.Method = string(name)
		case "params":
			if req.Params != nil {
				return req, d.errAt(int(t.off), ErrInvalidRequest, "<%s> has a second <%s>", d.qname(root), d.qname(t))
			}
			if req.Params, err = d.params(t); err != nil {
				return req, err
			}
		default:
			return req, d.errAt(int(t.off), ErrInvalidRequest, "unexpected <%s> in <%s>; want <methodName> or <params>", d.qname(t), d.qname(root))
		}
	}
	if !haveName {
		return req, d.errAt(int(root.off), ErrInvalidRequest, "<%s> has no <methodName>", d.qname(root))
	}
	if req.Params == nil {
		req.Params = []any{}
	}
	return req, nil
}

// params reads the <param>s of a methodCall.
func (d *decoder) params(t tag) ([]any, error) {
	var ps collect.List[any]
	for !t.empty() {
		p, err := d.child(t, &litParam, &litParamsEnd)
		if err != nil {
			return nil, err
		}
		if p.isEnd() {
			if err := d.matchEnd(t, p); err != nil {
				return nil, err
			}
			break
		}
		if !d.is(p, "param") {
			return nil, d.errAt(int(p.off), ErrInvalidRequest, "unexpected <%s> in <%s>; want <param>", d.qname(p), d.qname(t))
		}
		if err := d.count(p); err != nil {
			return nil, err
		}
		v, err := d.param(p)
		if err != nil {
			return nil, err
		}
		ps.Add(v)
	}
	return ps.Result(), nil
}

// param reads a <param>, which holds exactly one <value>.
func (d *decoder) param(p tag) (any, error) {
	if p.empty() {
		return nil, d.errAt(int(p.off), ErrInvalidRequest, "<%s/> holds no <value>", d.qname(p))
	}
	v, err := d.child(p, &litValue, nil)
	if err != nil {
		return nil, err
	}
	if v.isEnd() || !d.is(v, "value") {
		return nil, d.errAt(int(v.off), ErrInvalidRequest, "<%s> must hold one <value>", d.qname(p))
	}
	val, err := d.value(v)
	if err != nil {
		return nil, err
	}
	return val, d.closeAs(p, &litParamEnd)
}
