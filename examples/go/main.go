// The program, as Pulumi's Go language host runs it (`pulumi up` in this folder).
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"cerby-universal-logout-go/logout"
)

func main() {
	pulumi.Run(logout.Program)
}
