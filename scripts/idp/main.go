// catcast-idp: an OpenID Provider for catcast's tests and `make dev`, built on zitadel/oidc's op
// package and the in-memory storage of its example server (login page, PKCE, refresh tokens,
// discovery, JWKS). What it adds is catcast's: one confidential client whose access tokens are
// JWTs carrying a `merchants` claim and the catcast scopes, users read from a JSON file, and a
// configurable access-token lifetime so tests can watch a session expire.
package main

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// user is one entry of the -users file.
type user struct {
	Password  string   `json:"password"`
	Name      string   `json:"name"`
	Email     string   `json:"email"`
	Merchants []string `json:"merchants"`
	Groups    []string `json:"groups"`
}

// userStore serves the example storage's login check from the -users file.
type userStore struct{ users map[string]*storage.User }

func (u userStore) GetUserByID(id string) *storage.User { return u.users[id] }
func (u userStore) GetUserByUsername(name string) *storage.User {
	return u.users[name]
}
func (u userStore) ExampleClientID() string { return "service" }

// client is the catcast UI's confidential client: code flow with PKCE, refresh tokens, JWT access tokens.
type client struct {
	id, secret   string
	redirects    []string
	postLogout   []string
	accessTTL    time.Duration
	catcastScope map[string]bool
}

func (c *client) GetID() string                        { return c.id }
func (c *client) RedirectURIs() []string               { return nil }
func (c *client) PostLogoutRedirectURIs() []string     { return nil }
func (c *client) RedirectURIGlobs() []string           { return c.redirects }
func (c *client) PostLogoutRedirectURIGlobs() []string { return c.postLogout }
func (c *client) ApplicationType() op.ApplicationType  { return op.ApplicationTypeWeb }
func (c *client) AuthMethod() oidc.AuthMethod          { return oidc.AuthMethodBasic }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
}
func (c *client) LoginURL(id string) string            { return "/login/username?authRequestID=" + id }
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeJWT }
func (c *client) IDTokenLifetime() time.Duration       { return c.accessTTL }
func (c *client) DevMode() bool                        { return true }
func (c *client) IsScopeAllowed(scope string) bool     { return c.catcastScope[scope] }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// store is the example storage with catcast's client, claims and token lifetime.
type store struct {
	*storage.Storage
	client *client
	users  map[string]user
}

func (s *store) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	if id == s.client.id {
		return s.client, nil
	}
	return nil, fmt.Errorf("client %q not found", id)
}

func (s *store) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	if id != s.client.id || subtle.ConstantTimeCompare([]byte(secret), []byte(s.client.secret)) != 1 {
		return oidc.ErrInvalidClient().WithDescription("client id or secret is wrong")
	}
	return nil
}

// claims are what catcast reads: merchants (or groups, for a group mapping) and the granted catcast scopes.
func (s *store) claims(userID string, scopes []string) map[string]any {
	u, ok := s.users[userID]
	if !ok {
		return nil
	}
	granted := []string{}
	for _, sc := range scopes {
		if s.client.catcastScope[sc] {
			granted = append(granted, sc)
		}
	}
	out := map[string]any{"merchants": u.Merchants, "scope": strings.Join(granted, " ")}
	if len(u.Groups) > 0 {
		out["groups"] = u.Groups
	}
	return out
}

func (s *store) GetPrivateClaimsFromScopes(ctx context.Context, userID, clientID string, scopes []string) (map[string]any, error) {
	return s.claims(userID, scopes), nil
}

func (s *store) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, token op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, info, token, scopes); err != nil {
		return err
	}
	if u, ok := s.users[token.GetSubject()]; ok {
		info.Name = u.Name
		info.AppendClaims("merchants", u.Merchants)
	}
	return nil
}

func (s *store) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	id, _, err := s.Storage.CreateAccessToken(ctx, req)
	return id, time.Now().Add(s.client.accessTTL), err
}

func (s *store) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	id, refresh, _, err := s.Storage.CreateAccessAndRefreshTokens(ctx, req, current)
	return id, refresh, time.Now().Add(s.client.accessTTL), err
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (port 0: a free one, printed)")
	issuerFlag := flag.String("issuer", "", "issuer URL (default http://<listen address>/)")
	usersFile := flag.String("users", "", "JSON file: {\"<username>\": {password, name, email, merchants, groups}}")
	clientID := flag.String("client-id", "catcast-ui", "the catcast UI's client id")
	clientSecret := flag.String("client-secret", "", "the catcast UI's client secret (required)")
	redirects := flag.String("redirect-globs", "http://127.0.0.1:*/ui/auth/callback,http://localhost:*/ui/auth/callback", "comma-separated redirect URI globs")
	postLogout := flag.String("post-logout-globs", "http://127.0.0.1:*/ui/*,http://localhost:*/ui/*", "comma-separated post-logout redirect URI globs")
	ttl := flag.Duration("access-token-ttl", 5*time.Minute, "lifetime of access and ID tokens")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if *clientSecret == "" || *usersFile == "" {
		fmt.Fprintln(os.Stderr, "catcast-idp: -client-secret and -users are required")
		os.Exit(2)
	}
	raw, err := os.ReadFile(*usersFile)
	if err != nil {
		fmt.Fprintf(os.Stderr, "catcast-idp: cannot read -users: %v\n", err)
		os.Exit(2)
	}
	users := map[string]user{}
	if err := json.Unmarshal(raw, &users); err != nil {
		fmt.Fprintf(os.Stderr, "catcast-idp: -users is not valid JSON: %v\n", err)
		os.Exit(2)
	}
	known := map[string]*storage.User{}
	for name, u := range users {
		// The username is the subject, so tokens name the person the tests signed in as.
		known[name] = &storage.User{ID: name, Username: name, Password: u.Password, FirstName: u.Name,
			Email: u.Email, EmailVerified: true, PreferredLanguage: language.English}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "catcast-idp: cannot listen on %s: %v\n", *listen, err)
		os.Exit(1)
	}
	issuer := *issuerFlag
	if issuer == "" {
		issuer = fmt.Sprintf("http://%s/", ln.Addr().String())
	}
	s := &store{
		Storage: storage.NewStorage(userStore{known}),
		users:   users,
		client: &client{
			id: *clientID, secret: *clientSecret,
			redirects:    strings.Split(*redirects, ","),
			postLogout:   strings.Split(*postLogout, ","),
			accessTTL:    *ttl,
			catcastScope: map[string]bool{"sales:read": true, "forecasts:read": true},
		},
	}
	router := exampleop.SetupServer(issuer, s, logger, false)
	server := &http.Server{Handler: router, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = server.Shutdown(shutdown)
	}()
	// The first line on stdout is the issuer: the test setup reads it.
	fmt.Println(issuer)
	if err := server.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintf(os.Stderr, "catcast-idp: %v\n", err)
		os.Exit(1)
	}
}
