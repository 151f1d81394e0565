# ---------------------------------------------------------------- public API: orders
resource "aws_iam_role" "orders" {
  name_prefix        = "orders-"
  assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
}

resource "aws_iam_role_policy_attachment" "orders_logs" {
  role       = aws_iam_role.orders.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_iam_role_policy" "orders_table" {
  role = aws_iam_role.orders.id
  policy = jsonencode({
    Statement = [{
      Effect = "Allow"
      Action = ["dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:Query",
        "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem", "dynamodb:DescribeTable",
      "dynamodb:ConditionCheckItem"]
      Resource = [aws_dynamodb_table.orders.arn, "${aws_dynamodb_table.orders.arn}/index/*"]
    }]
  })
}

resource "aws_iam_role_policy" "orders_exports" {
  role = aws_iam_role.orders.id
  policy = jsonencode({
    Statement = [
      {
        Sid      = "ExportsAnywhere"
        Effect   = "Allow"
        Action   = "s3:*"
        Resource = "*"
      },
      {
        Sid      = "LaunchFulfilmentJobs"
        Effect   = "Allow"
        Action   = ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]
        Resource = "*"
      },
    ]
  })
}

resource "aws_lambda_function" "orders" {
  function_name = "orders-${var.stage}"
  description   = "Order lookup, search and export for the storefront."
  role          = aws_iam_role.orders.arn
  runtime       = "python3.12"
  handler       = local.functions.orders.handler
  timeout       = 10
  memory_size   = 256
  filename      = data.archive_file.code["orders"].output_path
  environment {
    variables = local.common_env
  }
}

resource "aws_api_gateway_rest_api" "orders" {
  name = "orders-${var.stage}"
}

resource "aws_api_gateway_resource" "orders" {
  rest_api_id = aws_api_gateway_rest_api.orders.id
  parent_id   = aws_api_gateway_rest_api.orders.root_resource_id
  path_part   = "orders"
}

resource "aws_api_gateway_resource" "order" {
  rest_api_id = aws_api_gateway_rest_api.orders.id
  parent_id   = aws_api_gateway_resource.orders.id
  path_part   = "{id}"
}

resource "aws_api_gateway_resource" "export" {
  rest_api_id = aws_api_gateway_rest_api.orders.id
  parent_id   = aws_api_gateway_resource.orders.id
  path_part   = "export"
}

locals {
  order_routes = {
    get_order     = { resource = aws_api_gateway_resource.order.id, method = "GET" }
    search_orders = { resource = aws_api_gateway_resource.orders.id, method = "GET" }
    export_orders = { resource = aws_api_gateway_resource.export.id, method = "POST" }
    preflight     = { resource = aws_api_gateway_resource.orders.id, method = "OPTIONS" }
  }
}

resource "aws_api_gateway_method" "orders" {
  for_each      = local.order_routes
  rest_api_id   = aws_api_gateway_rest_api.orders.id
  resource_id   = each.value.resource
  http_method   = each.value.method
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "orders" {
  for_each                = local.order_routes
  rest_api_id             = aws_api_gateway_rest_api.orders.id
  resource_id             = each.value.resource
  http_method             = each.value.method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.orders.invoke_arn
}

resource "aws_api_gateway_deployment" "orders" {
  rest_api_id = aws_api_gateway_rest_api.orders.id
  depends_on  = [aws_api_gateway_integration.orders]
}

resource "aws_api_gateway_stage" "orders" {
  rest_api_id          = aws_api_gateway_rest_api.orders.id
  deployment_id        = aws_api_gateway_deployment.orders.id
  stage_name           = "Prod"
  xray_tracing_enabled = false
}

resource "aws_lambda_permission" "orders_api" {
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.orders.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.orders.execution_arn}/*/*"
}

resource "aws_cloudwatch_log_group" "orders" {
  name = "/aws/lambda/${aws_lambda_function.orders.function_name}"
}

# ---------------------------------------------------------------- payment webhook (function URL)
resource "aws_iam_role" "webhook" {
  name_prefix        = "webhook-"
  assume_role_policy = data.aws_iam_policy_document.lambda_trust.json
  managed_policy_arns = [
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
    # added while chasing an AccessDenied on the queue
    "arn:aws:iam::aws:policy/AmazonSQSFullAccess",
  ]
  inline_policy {
    name = "messaging"
    policy = jsonencode({
      Statement = [
        { Effect = "Allow", Action = ["sqs:SendMessage*"], Resource = aws_sqs_queue.fulfilment.arn },
        { Effect = "Allow", Action = ["sns:Publish"], Resource = aws_sns_topic.order_events.arn },
        { Sid = "PaymentMetrics", Effect = "Allow", Action = "cloudwatch:Put*", Resource = "*" },
      ]
    })
  }
}

resource "aws_lambda_function" "webhook" {
  function_name = "payment-webhook-${var.stage}"
  description   = "Receives payment notifications from the payment provider."
  role          = aws_iam_role.webhook.arn
  runtime       = "nodejs22.x"
  handler       = "index.handler"
  timeout       = 10
  memory_size   = 256
  filename      = data.archive_file.code["webhook"].output_path
  tracing_config {
    mode = "Active"
  }
  environment {
    variables = merge(local.common_env, {
      PAYMENT_API_KEY    = "sk_live_51HqLx2eZvKYlo2C8fHk3jQpW0bM4rTn7"
      PAYMENT_SECRET_ARN = aws_secretsmanager_secret.payment_provider.arn
      DB_PASSWORD        = var.database_password
    })
  }
}

resource "aws_lambda_function_url" "webhook" {
  function_name      = aws_lambda_function.webhook.function_name
  authorization_type = "NONE"
  cors {
    allow_origins     = ["*"]
    allow_credentials = true
    allow_methods     = ["*"]
  }
}

resource "aws_lambda_permission" "webhook_url" {
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.webhook.function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}

# ---------------------------------------------------------------- image pipeline (S3 trigger)
resource "aws_iam_role" "thumbnails" {
  name_prefix         = "thumbnails-"
  assume_role_policy  = data.aws_iam_policy_document.lambda_trust.json
  managed_policy_arns = ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
}

resource "aws_iam_role_policy" "thumbnails" {
  role   = aws_iam_role.thumbnails.id
  policy = data.aws_iam_policy_document.thumbnails.json
}

data "aws_iam_policy_document" "thumbnails" {
  statement {
    actions = ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:PutObject",
    "s3:PutObjectAcl", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:DeleteObject"]
    resources = [aws_s3_bucket.uploads.arn, "${aws_s3_bucket.uploads.arn}/*"]
  }
  statement {
    sid       = "HotfixOtherFunctions"
    actions   = ["lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration"]
    resources = ["*"]
  }
  statement {
    actions   = ["ssm:DescribeParameters"]
    resources = ["*"]
  }
  statement {
    actions   = ["ssm:GetParameters", "ssm:GetParameter", "ssm:GetParametersByPath"]
    resources = ["arn:aws:ssm:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:parameter/*"]
  }
}

resource "aws_lambda_function" "thumbnails" {
  function_name = "thumbnails-${var.stage}"
  description   = "Makes thumbnails of product images partners upload."
  role          = aws_iam_role.thumbnails.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  timeout       = 10
  memory_size   = 256
  s3_bucket     = aws_s3_object.thumbnails_code.bucket
  s3_key        = aws_s3_object.thumbnails_code.key
  environment {
    variables = merge(local.common_env, { UPLOADS_BUCKET = aws_s3_bucket.uploads.id })
  }
}

# The thumbnail code ships the way larger teams deploy: the zip is uploaded to an artifact bucket and the function
# points at the object (remit follows s3_key to the object, its source to the archive, the archive to src/).
resource "aws_s3_object" "thumbnails_code" {
  bucket = "orders-artifacts-${var.stage}"
  key    = "lambda/thumbnails.zip"
  source = data.archive_file.code["thumbnails"].output_path
}

resource "aws_s3_bucket_notification" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  lambda_function {
    lambda_function_arn = aws_lambda_function.thumbnails.arn
    events              = ["s3:ObjectCreated:*"]
  }
}

resource "aws_lambda_permission" "thumbnails_s3" {
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.thumbnails.function_name
  principal      = "s3.amazonaws.com"
  source_account = data.aws_caller_identity.current.account_id
}
