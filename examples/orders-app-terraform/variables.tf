# Acme Orders in Terraform: the bundled SAM example (../orders-app/template.yaml) written as a Terraform team
# would write it. It is deliberately vulnerable, like the original. Do not deploy it.

variable "stage" {
  type    = string
  default = "dev"
}

variable "database_password" {
  type      = string
  sensitive = true
}

locals {
  common_env = {
    ORDERS_TABLE = aws_dynamodb_table.orders.name
    STAGE        = var.stage
  }
  functions = {
    orders     = { dir = "orders", handler = "app.handler" }
    webhook    = { dir = "webhook", handler = "index.handler" }
    thumbnails = { dir = "thumbnails", handler = "app.handler" }
    reports    = { dir = "reports", handler = "app.handler" }
    legacy     = { dir = "legacy", handler = "index.handler" }
    admin      = { dir = "admin", handler = "tools.handler" }
  }
}

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

data "archive_file" "code" {
  for_each    = local.functions
  type        = "zip"
  source_dir  = "${path.module}/src/${each.value.dir}"
  output_path = "${path.module}/build/${each.key}.zip"
}

data "aws_iam_policy_document" "lambda_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}
