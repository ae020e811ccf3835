#!/usr/bin/perl
# UserLand's validator1 suite, driven with Perl's RPC::XML::Client
# (Debian: librpc-xml-perl).
#
# Usage: perl validator1.pl http://127.0.0.1:8088/
#
# Runs all eight validator1 methods with non-trivial inputs, checks every
# answer exactly (types included: an <i8> must come back as <i8>), prints one
# line per check and exits non-zero on any mismatch. Run by
# `go test -run Validator1FromPerl`.
#
# What makes Perl interesting: RPC::XML declares encoding="us-ascii", picks
# the type of a plain scalar by its looks (ints above 2^31 become <i8>,
# numeric-looking strings become numbers unless forced with RPC_STRING),
# writes doubles with 20 digits and dateTimes with a trailing Z.
use strict;
use warnings;

use RPC::XML qw(:types smart_encode);
use RPC::XML::Client;
use Scalar::Util qw(blessed);

binmode STDOUT, ':encoding(UTF-8)';
$| = 1;

my $url = shift @ARGV || 'http://127.0.0.1:8088/';
my $client = RPC::XML::Client->new($url);
$client->useragent->timeout(60);
my $failures = 0;

# canon renders an RPC::XML value tree as a string that shows every type, so
# that comparing two of them compares types as well as values. <i4> and <int>
# are the same type; a dateTime's trailing Z is dropped (we send UTC with Z,
# the server answers in the spec's form without a zone).
sub canon {
    my ($v) = @_;
    return 'undef' unless defined $v;
    return "native($v)" unless blessed $v;
    my $type = $v->type;
    if ($type eq 'struct') {
        return 'struct{' . join(',', map { "$_:" . canon($v->{$_}) } sort keys %$v) . '}';
    }
    if ($type eq 'array') {
        return 'array[' . join(',', map { canon($_) } @$v) . ']';
    }
    if ($type eq 'base64') {
        return 'base64(' . unpack('H*', $v->value) . ')';
    }
    if ($type eq 'double') {
        return sprintf 'double(%.17g)', $v->value;
    }
    if ($type eq 'dateTime.iso8601') {
        (my $t = $v->value) =~ s/(Z|[+-]00:?00)$//;
        return "dateTime($t)";
    }
    if ($type eq 'nil') {
        return 'nil';
    }
    $type = 'int' if $type eq 'i4';
    return "$type(" . $v->value . ')';
}

sub call {
    my ($method, @args) = @_;
    my $res = $client->send_request($method, @args);
    die "$method: transport error: $res\n" unless ref $res;
    return $res;
}

sub check {
    my ($name, $res, $want) = @_;
    my ($g, $w) = (canon($res), canon($want));
    if (blessed $res && $res->is_fault) {
        $failures++;
        printf "FAIL %s: fault %s %s\n", $name, $res->code, $res->string;
    } elsif ($g eq $w) {
        $g = substr($g, 0, 157) . '...' if length $g > 160;
        print "ok   $name: $g\n";
    } else {
        $failures++;
        print "FAIL $name:\n       got  $g\n       want $w\n";
    }
}

sub check_fault {
    my ($name, $code, $method, @args) = @_;
    my $res = call($method, @args);
    if (!(blessed $res && $res->is_fault)) {
        $failures++;
        printf "FAIL %s: returned %s, want fault %d\n", $name, canon($res), $code;
    } elsif ($res->code != $code) {
        $failures++;
        printf "FAIL %s: fault %d %s, want code %d\n", $name, $res->code, $res->string, $code;
    } else {
        printf "ok   %s: fault %d %s\n", $name, $res->code, $res->string;
    }
}

# arrayOfStructsTest: the sum of every curly, which here exceeds 2^31, so the
# curlies go out as <i8> (smart_encode) and the sum comes back as <i8>.
{
    my @structs;
    my $sum = 0;
    for my $i (1 .. 25) {
        my $curly = $i * 100_000_000 - 7;    # from 99999993 to 2499999993
        $sum += $curly;
        push @structs, { moe => $i, larry => -$i, curly => $curly };
    }
    check('arrayOfStructsTest (i8 curlies, i8 sum)', call('validator1.arrayOfStructsTest', \@structs), RPC_I8($sum));
    check('arrayOfStructsTest (small)',
        call('validator1.arrayOfStructsTest', [ { moe => 1, larry => 2, curly => -3 }, { moe => 4, larry => 5, curly => 46 } ]),
        RPC_INT(43));
}

# countTheEntities: the documented example, then XML-heavy text. RPC::XML
# escapes < > & " ' as entity references.
sub entities {
    my ($s) = @_;
    my %n;
    $n{$_} = () = $s =~ /\Q$_\E/g for ('<', '>', '&', "'", '"');
    return RPC::XML::struct->new({
        ctLeftAngleBrackets  => RPC_INT($n{'<'}),
        ctRightAngleBrackets => RPC_INT($n{'>'}),
        ctAmpersands         => RPC_INT($n{'&'}),
        ctApostrophes        => RPC_INT($n{"'"}),
        ctQuotes             => RPC_INT($n{'"'}),
    });
}
check('countTheEntities example', call('validator1.countTheEntities', q{<<<>>&''"""}), entities(q{<<<>>&''"""}));
{
    my $text = q{<p class="x">Fish & Chips &amp; 'mushy' <b>peas</b></p> ]]> <![CDATA[ & ]]>};
    check('countTheEntities markup', call('validator1.countTheEntities', RPC_STRING($text)), entities($text));
}

# easyStructTest: moe + larry + curly, with larry an <i8>.
check('easyStructTest (i8 member)',
    call('validator1.easyStructTest', { moe => 17, larry => 5_000_000_000, curly => -12 }),
    RPC_I8(5_000_000_005));
check('easyStructTest', call('validator1.easyStructTest', { moe => 2, larry => 3, curly => 5 }), RPC_INT(10));

# echoStructTest: a struct of every type, <i8> members included, comes back
# exactly, <i8> as <i8>.
{
    my $struct = {
        big      => 8_589_934_592,                     # <i8>
        negbig   => -3_000_000_000,                    # <i8>
        maxint   => 2_147_483_647,                     # <int>
        ratio    => 0.1,                               # <double>0.10000000000000000555
        text     => RPC_STRING(q{a < b && c > "d" 'e'}),
        numeric  => RPC_STRING('0042'),                # forced, or it would be an int
        flag     => RPC_BOOLEAN(1),
        off      => RPC_BOOLEAN(0),
        when     => RPC_DATETIME_ISO8601('19980717T14:08:55Z'),
        blob     => RPC_BASE64(join '', map { chr } 0 .. 255),
        empty    => RPC_STRING(''),
        list     => [ 1, RPC_STRING('two'), 3.5, [], {} ],
        nested   => { moe => 1, deeper => { larry => 9_000_000_000 } },
    };
    my $sent = smart_encode($struct);
    check('echoStructTest (i8 members, every type)', call('validator1.echoStructTest', $sent), $sent);
}

# manyTypesTest: six params back as an array, types preserved. The dateTime is
# sent as Perl writes it, with a Z, and comes back in the spec's form.
{
    my @args = (RPC_INT(-2_147_483_648), RPC_BOOLEAN(1), RPC_STRING('Tom & Jerry <3'),
        RPC_DOUBLE(-1.25e-7), RPC_DATETIME_ISO8601('20240229T23:59:58Z'), RPC_BASE64("\0\xffvalidator1\n"));
    my $res = call('validator1.manyTypesTest', @args);
    check('manyTypesTest', $res, RPC::XML::array->new(from => \@args));
    if (blessed $res && $res->type eq 'array' && $res->[4]->value ne '20240229T23:59:58') {
        $failures++;
        printf "FAIL manyTypesTest dateTime: got %s, want 20240229T23:59:58\n", $res->[4]->value;
    }
}

# moderateSizeArrayCheck: first + last of 100-200 strings.
{
    my @states = qw(Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware);
    my @items = map { RPC_STRING($states[$_ % @states] . $_) } 0 .. 180;
    $items[0] = RPC_STRING('Maine & <Vermont>');
    $items[-1] = RPC_STRING('12345');    # numeric-looking, forced string
    check('moderateSizeArrayCheck', call('validator1.moderateSizeArrayCheck', \@items), RPC_STRING('Maine & <Vermont>12345'));
}

# nestedStructTest: a calendar; the keys "2000", "04", "01" are strings even
# though they look numeric (struct member names are always strings).
{
    my %calendar;
    for my $year (1999 .. 2001) {
        for my $month (1 .. 12) {
            for my $day (1 .. 28) {
                $calendar{$year}{sprintf '%02d', $month}{sprintf '%02d', $day} =
                    { moe => $year, larry => $month, curly => $day };
            }
        }
    }
    $calendar{2000}{'04'}{'01'} = { moe => 1000, larry => 200, curly => 30, noise => RPC_STRING('x') };
    check('nestedStructTest', call('validator1.nestedStructTest', \%calendar), RPC_INT(1230));
}

# simpleStructReturnTest: n * 10, 100, 1000; with n = 50,000,000 the last two
# exceed 2^31 and come back as <i8>.
check('simpleStructReturnTest', call('validator1.simpleStructReturnTest', 12345),
    RPC::XML::struct->new({ times10 => RPC_INT(123450), times100 => RPC_INT(1234500), times1000 => RPC_INT(12345000) }));
check('simpleStructReturnTest (i8 results)', call('validator1.simpleStructReturnTest', 50_000_000),
    RPC::XML::struct->new({ times10 => RPC_INT(500_000_000), times100 => RPC_I8(5_000_000_000), times1000 => RPC_I8(50_000_000_000) }));

# Faults: wrong argument types, unknown method.
check_fault('easyStructTest(string) fault', -32602, 'validator1.easyStructTest', RPC_STRING('not a struct'));
check_fault('easyStructTest(struct of strings) fault', -32602, 'validator1.easyStructTest',
    { moe => RPC_STRING('1'), larry => RPC_STRING('2'), curly => RPC_STRING('3') });
check_fault('unknown method fault', -32601, 'validator1.noSuchMethod', 1);

# Non-ASCII text: RPC::XML::Client always sends UTF-8 bytes, but declares
# them us-ascii unless told otherwise, so the server must refuse them
# (-32702, invalid character for the encoding; Python's server refuses them
# too) rather than guess. Declaring UTF-8 makes the same call work.
{
    my $text = "caf\x{e9} <na\x{ef}ve> & \x{263a}";
    {
        local $RPC::XML::ENCODING = 'us-ascii';
        check_fault('countTheEntities non-ASCII under us-ascii fault', -32702, 'validator1.countTheEntities', RPC_STRING($text));
    }
    {
        local $RPC::XML::ENCODING = 'utf-8';
        check('countTheEntities non-ASCII under utf-8', call('validator1.countTheEntities', RPC_STRING($text)), entities($text));
        my $sent = smart_encode({ text => RPC_STRING($text) });
        check('echoStructTest non-ASCII under utf-8', call('validator1.echoStructTest', $sent), $sent);
    }
}

if ($failures) {
    print "$failures check(s) failed\n";
    exit 1;
}
print "all validator1 checks passed\n";
