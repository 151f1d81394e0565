# ---------------------------------------------------------------- guests of the storefront
resource "aws_cognito_identity_pool_roles_attachment" "guests" {
  identity_pool_id = aws_cognito_identity_pool.guests.id
  roles = {
    unauthenticated = aws_iam_role.guest.arn
  }
}

resource "aws_iam_role" "guest" {
  name_prefix = "guest-"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { "ForAnyValue:StringLike" = { "cognito-identity.amazonaws.com:amr" = "unauthenticated" } }
    }]
  })
  inline_policy {
    name = "guest-cart"
    policy = jsonencode({
      Statement = [{
        Effect   = "Allow"
        Action   = ["dynamodb:PutItem", "dynamodb:GetItem"]
        Resource = aws_dynamodb_table.orders.arn
        }, { # "to show a guest's order count": lists every identity of every pool
        Effect   = "Allow"
        Action   = "cognito-identity:ListIdentities"
        Resource = "*"
      }]
    })
  }
}

# ---------------------------------------------------------------- access for CI, partners and schedules
data "aws_iam_policy_document" "deploy_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name_prefix        = "deploy-"
  assume_role_policy = data.aws_iam_policy_document.deploy_trust.json
}

resource "aws_iam_role_policy" "deploy" {
  name = "deploy-orders"
  role = aws_iam_role.deploy.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "lambda:UpdateFunctionCode", Resource = aws_lambda_function.orders.arn }]
  })
}

resource "aws_iam_role" "partner_support" {
  name_prefix = "partner-support-"
  assume_role_policy = jsonencode({
    Statement = [
      {
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::444455556666:root" }
        Action    = "sts:AssumeRole"
      },
      {
        Sid       = "SupportVendor"
        Effect    = "Allow"
        Principal = { AWS = "*" }
        Action    = "sts:AssumeRole"
        Condition = { StringEquals = { "sts:ExternalId" = "acme-support" } }
      },
    ]
  })
  inline_policy {
    name = "support-metrics"
    policy = jsonencode({
      Statement = [{ Effect = "Allow", Action = "cloudwatch:GetMetricData", Resource = "*" }]
    })
  }
}

resource "aws_iam_role" "break_glass" {
  name_prefix = "break-glass-"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role" "report_schedule" {
  name_prefix = "report-schedule-"
  assume_role_policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { Service = "scheduler.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  inline_policy {
    name = "invoke-reports"
    policy = jsonencode({
      Statement = [{ Effect = "Allow", Action = "lambda:InvokeFunction", Resource = aws_lambda_function.reports.arn }]
    })
  }
}
