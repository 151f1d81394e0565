# ---------------------------------------------------------------- data
resource "aws_dynamodb_table" "orders" {
  name         = "orders-${var.stage}"
  billing_mode = "PROVISIONED"
  hash_key     = "id"
  read_capacity  = 5
  write_capacity = 5
  attribute {
    name = "id"
    type = "S"
  }
}

resource "aws_s3_bucket" "uploads" {
  bucket_prefix = "acme-uploads-"
}

resource "aws_s3_bucket_public_access_block" "uploads" {
  bucket                  = aws_s3_bucket.uploads.id
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = false
  restrict_public_buckets = false
}

resource "aws_s3_bucket_policy" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  policy = jsonencode({
    Statement = [{
      Sid       = "PartnersUploadProductImages"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["s3:PutObject", "s3:GetObject"]
      Resource  = "${aws_s3_bucket.uploads.arn}/*"
    }]
  })
}

resource "aws_s3_bucket" "reports" {
  bucket_prefix = "acme-reports-"
}

resource "aws_s3_bucket_ownership_controls" "reports" {
  bucket = aws_s3_bucket.reports.id
  rule {
    object_ownership = "ObjectWriter"
  }
}

resource "aws_s3_bucket_acl" "reports" {
  bucket = aws_s3_bucket.reports.id
  acl    = "public-read"
}

resource "aws_kms_key" "data" {
  description         = "Key for order data"
  enable_key_rotation = true
  policy = jsonencode({
    Statement = [
      {
        Sid       = "AccountAdmins"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "AnyoneCanDecrypt"
        Effect    = "Allow"
        Principal = { AWS = "*" }
        Action    = ["kms:Decrypt", "kms:DescribeKey"]
        Resource  = "*"
      },
    ]
  })
}

resource "aws_sqs_queue" "fulfilment" {
  sqs_managed_sse_enabled = false
}

resource "aws_sqs_queue_policy" "fulfilment" {
  queue_url = aws_sqs_queue.fulfilment.id
  policy    = <<-POLICY
    {
      "Statement": [{
        "Effect": "Allow",
        "Principal": "*",
        "Action": "sqs:SendMessage",
        "Resource": "${aws_sqs_queue.fulfilment.arn}"
      }]
    }
  POLICY
}

resource "aws_sns_topic" "order_events" {}

resource "aws_sns_topic_policy" "order_events" {
  arn    = aws_sns_topic.order_events.arn
  policy = data.aws_iam_policy_document.order_events.json
}

data "aws_iam_policy_document" "order_events" {
  statement {
    actions   = ["sns:Subscribe", "sns:Publish"]
    resources = [aws_sns_topic.order_events.arn]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

resource "aws_cloudwatch_event_bus" "partner" {
  name = "acme-partner-events"
}

resource "aws_cloudwatch_event_bus_policy" "partner" {
  event_bus_name = aws_cloudwatch_event_bus.partner.name
  policy = jsonencode({
    Statement = [{
      Sid       = "AnyAccountMayPutEvents"
      Effect    = "Allow"
      Principal = "*"
      Action    = "events:PutEvents"
      Resource  = aws_cloudwatch_event_bus.partner.arn
    }]
  })
}

resource "aws_secretsmanager_secret" "payment_provider" {
  description = "Payment provider API credentials"
}

resource "aws_secretsmanager_secret_policy" "payment_provider" {
  secret_arn = aws_secretsmanager_secret.payment_provider.arn
  policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "secretsmanager:GetSecretValue"
      Resource  = "*"
    }]
  })
}
