"""Rules about data stores: who their resource policies let in, public S3 access, encryption at rest."""
