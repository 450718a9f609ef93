from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from api.models import ApiToken, ClientKind, Scope
from api.services import api_token_create


class Command(BaseCommand):
    help = (
        "Create an API token for a user. The token alone goes to standard output (TOKEN=$(manage.py "
        "create_api_token …) captures it); what it is and how to use it goes to standard error. Only a hash "
        "is stored, so this is the only time it is shown. Administrators normally do this in the admin, "
        "under API tokens."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The user the API acts as (needs the Editors' permissions to write).")
        parser.add_argument("--name", default="command line", help="Which client uses the token.")
        parser.add_argument(
            "--kind",
            choices=[ClientKind.PERSON, ClientKind.IMPORT, ClientKind.AUTOMATED],
            default=ClientKind.PERSON,
            help="What the client is: a person (default: someone at a command line), an import, or an "
            "automated drafting system (then --system is required). Readers are told when a system drafted an answer.",
        )
        parser.add_argument(
            "--system",
            default="",
            help="For --kind automated: the model or pipeline and its version, e.g. “literature-pipeline v2”.",
        )
        parser.add_argument(
            "--scope",
            action="append",
            choices=Scope.values,
            dest="scopes",
            help="Repeat for several; default: all scopes.",
        )

    def handle(self, *args, username, name, scopes, kind, system, **options):
        owner = get_user_model().objects.filter(username=username).first()
        if owner is None:
            raise CommandError(f"No user “{username}”.")
        token = ApiToken(
            owner=owner, name=name, scopes=scopes or list(Scope.values), client_kind=kind, system_name=system
        )
        try:
            secret = api_token_create(token=token)
        except ValidationError as error:
            raise CommandError(" ".join(m for ms in error.message_dict.values() for m in ms)) from None
        base = settings.ORACLE_BASE_URL.rstrip("/")
        who = f"{owner.username} ({owner.get_full_name()})" if owner.get_full_name() else owner.username
        # The explanation on stderr, never the secret: a script's log shows what was made, not the token.
        self.stderr.style_func = None  # plain text, not the error colour
        for line in (
            f"API token “{name}” for {who}, scopes: {', '.join(token.scopes)}. The API acts as {owner.username}, "
            "with that user's permissions.",
            f"The client is: {token.get_client_kind_display()}"
            + (
                f" ({token.system_name}); readers are told it drafted the answers it creates."
                if token.is_automated
                else "."
            ),
            "Only a hash of it is stored, so this is the only time it is shown: copy it now. "
            f"Revoke it in the admin: {base}/admin/api/apitoken/",
            "Send it with each request as the header  Authorization: Bearer <token>  e.g.",
            f'  curl -H "Authorization: Bearer $ORACLE_API_TOKEN" {base}/api/drafts/<id>/review/',
            f"  ORACLE_API_TOKEN=<token> python3 examples/submit_draft.py --url {base} examples/draft.json",
            "The token (alone on standard output):",
        ):
            self.stderr.write(line)
        self.stdout.write(secret)
