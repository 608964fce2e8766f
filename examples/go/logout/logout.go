// Package logout declares Okta Universal Logout for Cerby: one binding of a Cerby workspace to the Okta app of Cerby.
//
// The component is the TypeScript one (cerby:okta:UniversalLogout), served by the package's provider plugin; its
// inputs and outputs are those of the TypeScript args in Go's spelling. Credentials are read at run time from stack
// config (`pulumi config set --secret cerby:apiKey`, `okta:apiToken`) or their environment variables.
package logout

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	cerbyokta "cerby-okta-universal-logout/sdk/go/cerby/okta"
)

// Program is the stack's program: main.go runs it under `pulumi up`, automation/ inline.
func Program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	logout, err := cerbyokta.NewUniversalLogout(ctx, "universal-logout", &cerbyokta.UniversalLogoutArgs{
		Cerby:    cerbyokta.CerbySideArgs{BaseUrl: pulumi.String(cfg.Require("cerbyUrl"))},
		Okta:     cerbyokta.OktaSideArgs{OrgUrl: pulumi.String(cfg.Require("oktaOrgUrl")), Mode: pulumi.String("verify")},
		AppLabel: pulumi.String("Cerby"),
	})
	if err != nil {
		return err
	}
	ctx.Export("appInstanceId", logout.AppInstanceId)
	ctx.Export("cerbyEnabled", logout.CerbyEnabled)
	ctx.Export("oktaUniversalLogoutStatus", logout.OktaUniversalLogoutStatus)
	ctx.Export("summary", logout.Summary)
	return nil
}
