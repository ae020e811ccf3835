package xmlrpc

import (
	"math"

	"github.com/rpchost/rpchost/abi"
)

// methodResponse reads either one param or a fault.
func (d *decoder) methodResponse(root tag) (any, *abi.Fault, error) {
	if root.empty() {
		return nil, nil, d.errAt(int(root.off), ErrInvalidRequest, "<%s/> holds neither <params> nor <fault>", d.qname(root))
	}
	t, err := d.child(root, &litParams, nil)
	if err != nil {
		return nil, nil, err
	}
	if t.isEnd() {
		if err := d.matchEnd(root, t); err != nil {
			return nil, nil, err
		}
		return nil, nil, d.errAt(int(root.off), ErrInvalidRequest, "<%s> holds neither <params> nor <fault>", d.qname(root))
	}
	var v any
	var fault *abi.Fault
	switch string(d.local(t)) {
	case "params":
		if v, err = d.responseParam(t); err != nil {
			return nil, nil, err
		}
	case "fault":
		if fault, err = d.fault(t); err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, d.errAt(int(t.off), ErrInvalidRequest, "unexpected <%s> in <%s>; want <params> or <fault>", d.qname(t), d.qname(root))
	}
	return v, fault, d.close(root)
}

// responseParam reads the <params> of a response: exactly one <param>.
func (d *decoder) responseParam(t tag) (any, error) {
	const one = "<%s> of a response must hold exactly one <param>"
	if t.empty() {
		return nil, d.errAt(int(t.off), ErrInvalidRequest, one, d.qname(t))
	}
	p, err := d.child(t, &litParam, nil)
	if err != nil {
		return nil, err
	}
	if p.isEnd() || !d.is(p, "param") {
		return nil, d.errAt(int(p.off), ErrInvalidRequest, one, d.qname(t))
	}
	if err := d.count(p); err != nil {
		return nil, err
	}
	v, err := d.param(p)
	if err != nil {
		return nil, err
	}
	end, err := d.next(t)
	if err != nil {
		return nil, err
	}
	if !end.isEnd() {
		return nil, d.errAt(int(end.off), ErrInvalidRequest, one, d.qname(t))
	}
	return v, d.matchEnd(t, end)
}

// fault reads <fault><value><struct> with faultCode and faultString.
func (d *decoder) fault(t tag) (*abi.Fault, error) {
	const shape = "<%s> must hold one <value> with a <struct> of an int faultCode and a string faultString"
	if t.empty() {
		return nil, d.errAt(int(t.off), ErrInvalidRequest, shape, d.qname(t))
	}
	v, err := d.child(t, &litValue, nil)
	if err != nil {
		return nil, err
	}
	if v.isEnd() || !d.is(v, "value") {
		return nil, d.errAt(int(v.off), ErrInvalidRequest, shape, d.qname(t))
	}
	val, err := d.value(v)
	if err != nil {
		return nil, err
	}
	if err := d.close(t); err != nil {
		return nil, err
	}
	s, ok := val.(abi.Struct)
	if !ok || len(s) != 2 {
		return nil, d.errAt(int(v.off), ErrInvalidRequest, shape, d.qname(t))
	}
	code, ok1 := s.Get("faultCode")
	msg, ok2 := s.Get("faultString")
	c, ok3 := code.(int64)
	m, ok4 := msg.(string)
	if !ok1 || !ok2 || !ok3 || !ok4 || c < math.MinInt || c > math.MaxInt {
		return nil, d.errAt(int(v.off), ErrInvalidRequest, shape, d.qname(t))
	}
	return &abi.Fault{Code: int(c), Message: m}, nil
}
