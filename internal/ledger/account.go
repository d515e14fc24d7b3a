package ledger

import (
	"fmt"
	"strings"

	"github.com/bitcraps/bitcraps/internal/identity"
)

// AccountKind says what an account holds.
type AccountKind uint8

// The three places money can be.
const (
	// Wallet: an identity's money outside any table.
	Wallet AccountKind = 1 + iota
	// Chips: a player's money at one table.
	Chips
	// Bank: a table's bank, funded by its host, paying winners.
	Bank
)

// String is the name used in account strings and logs.
func (k AccountKind) String() string {
	switch k {
	case Wallet:
		return "wallet"
	case Chips:
		return "chips"
	case Bank:
		return "bank"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Account names one balance. Owner is empty for a bank; Table is empty for
// a wallet.
type Account struct {
	Kind  AccountKind
	Owner identity.PeerID
	Table string
}

// WalletOf is the wallet of an identity.
func WalletOf(owner identity.PeerID) Account { return Account{Kind: Wallet, Owner: owner} }

// ChipsOf is a player's chips at a table.
func ChipsOf(table string, player identity.PeerID) Account {
	return Account{Kind: Chips, Owner: player, Table: table}
}

// BankOf is a table's bank.
func BankOf(table string) Account { return Account{Kind: Bank, Table: table} }

// String is "wallet:<peer>", "chips:<table>:<peer>" or "bank:<table>".
func (a Account) String() string {
	switch a.Kind {
	case Wallet:
		return "wallet:" + string(a.Owner)
	case Chips:
		return "chips:" + a.Table + ":" + string(a.Owner)
	case Bank:
		return "bank:" + a.Table
	}
	return a.Kind.String()
}

// MarshalText lets an Account be a JSON string or map key.
func (a Account) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText parses the String form.
func (a *Account) UnmarshalText(b []byte) error {
	p, err := ParseAccount(string(b))
	if err != nil {
		return err
	}
	*a = p
	return nil
}

// ParseAccount parses the String form of an account and validates it.
func ParseAccount(s string) (Account, error) {
	parts := strings.Split(s, ":")
	var a Account
	switch {
	case len(parts) == 2 && parts[0] == "wallet":
		a = WalletOf(identity.PeerID(parts[1]))
	case len(parts) == 3 && parts[0] == "chips":
		a = ChipsOf(parts[1], identity.PeerID(parts[2]))
	case len(parts) == 2 && parts[0] == "bank":
		a = BankOf(parts[1])
	default:
		return Account{}, fmt.Errorf("%w: account %q: want wallet:PEER, chips:TABLE:PEER or bank:TABLE", ErrInvalidOp, s)
	}
	if err := a.validate(); err != nil {
		return Account{}, err
	}
	return a, nil
}

func (a Account) validate() error {
	switch a.Kind {
	case Wallet:
		return validPeer("owner", a.Owner)
	case Chips:
		if err := validTable(a.Table); err != nil {
			return err
		}
		return validPeer("owner", a.Owner)
	case Bank:
		return validTable(a.Table)
	}
	return fmt.Errorf("%w: account kind %d", ErrInvalidOp, a.Kind)
}

// key is the account's pebble key. Chips are keyed by player first so that
// one prefix scan finds everything a player holds.
func (a Account) key() []byte {
	switch a.Kind {
	case Wallet:
		return []byte(prefixAccount + "w/" + string(a.Owner))
	case Chips:
		return []byte(prefixAccount + "c/" + string(a.Owner) + "/" + a.Table)
	default:
		return []byte(prefixAccount + "b/" + a.Table)
	}
}

func accountFromKey(k []byte) (Account, error) {
	s, ok := strings.CutPrefix(string(k), prefixAccount)
	if !ok || len(s) < 3 || s[1] != '/' {
		return Account{}, fmt.Errorf("%w: account key %q", ErrCorrupt, k)
	}
	var a Account
	switch rest := s[2:]; s[0] {
	case 'w':
		a = WalletOf(identity.PeerID(rest))
	case 'c':
		owner, table, _ := strings.Cut(rest, "/")
		a = ChipsOf(table, identity.PeerID(owner))
	case 'b':
		a = BankOf(rest)
	}
	if err := a.validate(); err != nil {
		return Account{}, fmt.Errorf("%w: account key %q: %w", ErrCorrupt, k, err)
	}
	return a, nil
}

// MaxTableIDLen bounds a table id: ids are keys and appear in every chips
// key, and a UUID (36) or a 32-byte hex hash (64) must fit.
const MaxTableIDLen = 64

func validTable(t string) error {
	if t == "" || len(t) > MaxTableIDLen {
		return fmt.Errorf("%w: table %q: want 1..%d characters", ErrInvalidOp, t, MaxTableIDLen)
	}
	for _, c := range t {
		ok := c == '-' || c == '_' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !ok {
			return fmt.Errorf("%w: table %q: only letters, digits, '-', '_' and '.' are allowed", ErrInvalidOp, t)
		}
	}
	return nil
}

func validPeer(field string, p identity.PeerID) error {
	if _, err := identity.ParsePeerID(string(p)); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalidOp, field, err)
	}
	return nil
}
