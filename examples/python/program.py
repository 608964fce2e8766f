"""Okta Universal Logout for Cerby, declared in Python: one binding of a Cerby workspace to the Okta app of Cerby.

The component is the TypeScript one (cerby:okta:UniversalLogout), served by the package's provider plugin; its
inputs and outputs are those of the TypeScript args in Python's spelling. Credentials are read at run time from
stack config (`pulumi config set --secret cerby:apiKey`, `okta:apiToken`) or their environment variables.
"""

import pulumi

import cerby_okta_universal_logout as cerby


def program() -> None:
    config = pulumi.Config()
    logout = cerby.okta.UniversalLogout(
        "universal-logout",
        cerby=cerby.okta.CerbySideArgs(base_url=config.require("cerbyUrl")),
        okta=cerby.okta.OktaSideArgs(org_url=config.require("oktaOrgUrl"), mode="verify"),
        app_label="Cerby",
    )
    pulumi.export("appInstanceId", logout.app_instance_id)
    pulumi.export("cerbyEnabled", logout.cerby_enabled)
    pulumi.export("oktaUniversalLogoutStatus", logout.okta_universal_logout_status)
    pulumi.export("summary", logout.summary)
