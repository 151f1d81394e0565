"""IAM reasoning over the model's policies (see docs/iam.md).

``actions`` (the action catalog), ``conditions`` (condition operators), ``evaluate`` (AWS's decision logic,
three-valued), ``arns`` (template values as ARNs), ``engine`` (``IamEngine``, reachable as ``an.iam``),
``reach`` (resource-policy exposure and trust: the one judge of resource policies), ``keys`` (restricting
condition keys), ``match`` (per-statement matchers). Nothing here is imported by the package itself: each
module loads when first used.
"""
