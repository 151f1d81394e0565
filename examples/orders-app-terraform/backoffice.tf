# ---------------------------------------------------------------- back office
resource "aws_iam_role" "back_office" {
  name_prefix        = "back-office-"
  assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
  managed_policy_arns = [
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
  ]
  inline_policy {
    name   = "back-office"
    policy = <<-POLICY
      {
        "Statement": [
          {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "${aws_s3_bucket.reports.arn}/*"},
          {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
           "Resource": "${aws_secretsmanager_secret.payment_provider.arn}"},
          {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "${aws_sqs_queue.fulfilment.arn}"},
          {"Sid": "PartnerOnboarding", "Effect": "Allow", "Action": ["iam:CreateAccessKey", "iam:PutUserPolicy"],
           "Resource": "arn:aws:iam::${data.aws_caller_identity.current.account_id}:user/partners/*"},
          {"Sid": "NeverPurgeFulfilment", "Effect": "Deny", "Action": "sqs:PurgeQueu", "Resource": "*"},
          {"Sid": "WarehouseAndSchedules", "Effect": "Allow",
           "Action": ["redshift:GetClusterCredentials", "events:PutRule", "events:PutTargets"], "Resource": "*"}
        ]
      }
    POLICY
  }
}

resource "aws_lambda_function" "reports" {
  function_name = "reports-${var.stage}"
  description   = "Nightly sales report; posts a summary to the partner callback."
  role          = aws_iam_role.back_office.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  timeout       = 10
  memory_size   = 256
  filename      = data.archive_file.code["reports"].output_path
  environment {
    variables = merge(local.common_env, {
      REPORTS_BUCKET     = aws_s3_bucket.reports.id
      PAYMENT_SECRET_ARN = aws_secretsmanager_secret.payment_provider.arn
    })
  }
}

resource "aws_cloudwatch_event_rule" "nightly" {
  schedule_expression = "cron(0 2 * * ? *)"
}

resource "aws_cloudwatch_event_target" "nightly" {
  rule = aws_cloudwatch_event_rule.nightly.name
  arn  = aws_lambda_function.reports.arn
}

resource "aws_lambda_permission" "reports_nightly" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.reports.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.nightly.arn
}

resource "aws_cloudwatch_event_rule" "partner_events" {
  event_bus_name = aws_cloudwatch_event_bus.partner.name
  event_pattern  = jsonencode({ source = ["partner.orders"] })
}

resource "aws_cloudwatch_event_target" "partner_events" {
  rule           = aws_cloudwatch_event_rule.partner_events.name
  event_bus_name = aws_cloudwatch_event_bus.partner.name
  arn            = aws_lambda_function.reports.arn
}

resource "aws_lambda_permission" "reports_partner_events" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.reports.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.partner_events.arn
}

resource "aws_lambda_function" "fulfilment" {
  function_name = "fulfilment-${var.stage}"
  description   = "Sends orders to the warehouse."
  role          = aws_iam_role.back_office.arn
  runtime       = "python3.12"
  handler       = "fulfil.handler"
  timeout       = 10
  memory_size   = 256
  filename      = data.archive_file.code["reports"].output_path
  tracing_config {
    mode = "Active"
  }
  environment {
    variables = local.common_env
  }
}

resource "aws_lambda_event_source_mapping" "fulfilment" {
  event_source_arn = aws_sqs_queue.fulfilment.arn
  function_name    = aws_lambda_function.fulfilment.arn
}

resource "aws_lambda_function" "legacy_invoice" {
  function_name = "legacy-invoice-${var.stage}"
  description   = "Old invoice generator kept for one partner."
  role          = aws_iam_role.back_office.arn
  runtime       = "nodejs14.x"
  handler       = "index.handler"
  timeout       = 10
  memory_size   = 256
  filename      = data.archive_file.code["legacy"].output_path
  environment {
    variables = local.common_env
  }
}

# the invoice partner calls the function directly from its own account
resource "aws_lambda_permission" "legacy_partner_invoke" {
  function_name = aws_lambda_function.legacy_invoice.function_name
  action        = "lambda:InvokeFunction"
  principal     = "*"
}

# the finance account pulls the nightly report on demand
resource "aws_lambda_permission" "reports_for_finance_account" {
  function_name = aws_lambda_function.reports.arn
  action        = "lambda:InvokeFunction"
  principal     = "444455556666"
}

resource "aws_lambda_permission" "reports_from_any_rule" {
  function_name = aws_lambda_function.reports.arn
  action        = "lambda:InvokeFunction"
  principal     = "events.amazonaws.com"
}

# ---------------------------------------------------------------- internal operations API
resource "aws_iam_role" "ops_tools" {
  name_prefix        = "ops-tools-"
  assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
}

resource "aws_iam_role_policy_attachment" "ops_tools" {
  for_each   = toset(["service-role/AWSLambdaBasicExecutionRole", "AdministratorAccess"])
  role       = aws_iam_role.ops_tools.name
  policy_arn = "arn:aws:iam::aws:policy/${each.value}"
}

resource "aws_lambda_function" "ops_tools" {
  function_name = "ops-tools-${var.stage}"
  description   = "Internal operations helper (rotates partners, replays events)."
  role          = aws_iam_role.ops_tools.arn
  runtime       = "python3.12"
  handler       = "tools.handler"
  timeout       = 10
  memory_size   = 256
  filename      = data.archive_file.code["admin"].output_path
  environment {
    variables = local.common_env
  }
}

resource "aws_api_gateway_rest_api" "internal" {
  name = "internal-${var.stage}"
}

resource "aws_api_gateway_resource" "replay" {
  rest_api_id = aws_api_gateway_rest_api.internal.id
  parent_id   = aws_api_gateway_rest_api.internal.root_resource_id
  path_part   = "replay"
}

resource "aws_api_gateway_method" "replay" {
  rest_api_id      = aws_api_gateway_rest_api.internal.id
  resource_id      = aws_api_gateway_resource.replay.id
  http_method      = "POST"
  authorization    = "NONE"
  api_key_required = true
}

resource "aws_api_gateway_integration" "replay" {
  rest_api_id             = aws_api_gateway_rest_api.internal.id
  resource_id             = aws_api_gateway_resource.replay.id
  http_method             = aws_api_gateway_method.replay.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.ops_tools.invoke_arn
}

resource "aws_api_gateway_deployment" "internal" {
  rest_api_id = aws_api_gateway_rest_api.internal.id
  depends_on  = [aws_api_gateway_integration.replay]
}

resource "aws_api_gateway_stage" "internal" {
  rest_api_id   = aws_api_gateway_rest_api.internal.id
  deployment_id = aws_api_gateway_deployment.internal.id
  stage_name    = "internal"
  variables = {
    partnerToken = "ghp_R8xk2Lq9vN3mT7wY5bZ1cD4fG6hJ0kP2sQ8u"
  }
  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.internal_api.arn
    format          = "$context.requestId $context.identity.sourceIp $context.status"
  }
}

resource "aws_api_gateway_usage_plan" "internal" {
  name = "internal-${var.stage}"
  api_stages {
    api_id = aws_api_gateway_rest_api.internal.id
    stage  = aws_api_gateway_stage.internal.stage_name
  }
  throttle_settings {
    rate_limit  = 5
    burst_limit = 10
  }
}

resource "aws_api_gateway_api_key" "internal" {
  name = "internal-${var.stage}"
}

resource "aws_api_gateway_usage_plan_key" "internal" {
  key_id        = aws_api_gateway_api_key.internal.id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.internal.id
}

resource "aws_lambda_permission" "ops_tools_api" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.ops_tools.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.internal.execution_arn}/*/POST/replay"
}

resource "aws_cloudwatch_log_group" "internal_api" {
  retention_in_days = 90
}

# ---------------------------------------------------------------- order workflow
resource "aws_iam_role" "refund_workflow" {
  name_prefix = "refund-workflow-"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "states.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  inline_policy {
    name = "invoke-fulfilment"
    policy = jsonencode({
      Statement = [{
        Effect   = "Allow"
        Action   = ["lambda:InvokeFunction"]
        Resource = "${aws_lambda_function.fulfilment.arn}*"
      }]
    })
  }
}

resource "aws_sfn_state_machine" "refund_workflow" {
  name     = "refund-workflow-${var.stage}"
  role_arn = aws_iam_role.refund_workflow.arn
  definition = jsonencode({
    StartAt = "NotifyPaymentProvider"
    States = {
      NotifyPaymentProvider = {
        Type     = "Task"
        Resource = "arn:aws:states:::http:invoke"
        Parameters = {
          ApiEndpoint = "https://payments.example.com/refunds"
          Method      = "POST"
          Headers = {
            Authorization = "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhY21lLXJlZnVuZHMifQ.c2lnbmF0dXJl"
          }
        }
        End = true
      }
    }
  })
}

# ---------------------------------------------------------------- customers
resource "aws_cognito_user_pool" "customers" {
  name              = "acme-customers"
  mfa_configuration = "OFF"
  password_policy {
    minimum_length    = 6
    require_numbers   = false
    require_symbols   = false
    require_uppercase = false
    require_lowercase = true
  }
  schema {
    name                = "email"
    attribute_data_type = "String"
    required            = true
  }
  schema {
    name                = "role"
    attribute_data_type = "String"
    mutable             = true
  }
  schema {
    name                = "loyalty_number"
    attribute_data_type = "String"
    mutable             = false
  }
}

resource "aws_cognito_user_pool_client" "storefront" {
  name            = "storefront"
  user_pool_id    = aws_cognito_user_pool.customers.id
  generate_secret = true
}

# handed to the storefront's build; without `sensitive = true` every apply prints it
output "storefront_client_secret" {
  value = aws_cognito_user_pool_client.storefront.client_secret
}

resource "aws_cognito_identity_pool" "guests" {
  identity_pool_name               = "guests"
  allow_unauthenticated_identities = true
  cognito_identity_providers {
    client_id     = aws_cognito_user_pool_client.storefront.id
    provider_name = aws_cognito_user_pool.customers.endpoint
  }
}
