"""What every listed locale says, in its own language: the tests' side of the table."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Expected:
    language: str  # <Speak language>
    standard_voice: str  # with VERIFICATION_VOICE_ENGINE=standard
    polly_voice: str  # with VERIFICATION_VOICE_ENGINE=polly
    press_a_key: str  # a phrase of the key-press prompt
    code_sentence: str  # the first reading of the code, `{digits}` standing for it
    sms: str  # the SMS's first line, `{code}` standing for the code


EXPECTED = {
    "en-US": Expected(
        "en-US", "WOMAN", "Polly.Joanna", "Press any key",
        "Your OTP Site verification code is: {digits}",
        "OTP Site: your verification code is {code}. It expires in 10 minutes.",
    ),
    "en-GB": Expected(
        "en-GB", "WOMAN", "Polly.Amy", "Press any key",
        "Your OTP Site verification code is: {digits}",
        "OTP Site: your verification code is {code}. It expires in 10 minutes.",
    ),
    # Plivo has no standard Indian English or Hindi voice: Polly in both engines.
    "en-IN": Expected(
        "en-IN", "Polly.Raveena", "Polly.Raveena", "Press any key",
        "Your OTP Site verification code is: {digits}",
        "OTP Site: your verification code is {code}. It expires in 10 minutes.",
    ),
    "es-ES": Expected(
        "es-ES", "WOMAN", "Polly.Conchita", "Pulse cualquier tecla",
        "Su código de verificación de OTP Site es: {digits}",
        "OTP Site: su código de verificación es {code}. Caduca en 10 minutos.",
    ),
    "fr-FR": Expected(
        "fr-FR", "WOMAN", "Polly.Celine", "Appuyez sur une touche",
        "Votre code de vérification OTP Site est : {digits}",
        "OTP Site : votre code de vérification est {code}. Il expire dans 10 minutes.",
    ),
    "de-DE": Expected(
        "de-DE", "WOMAN", "Polly.Marlene", "Drücken Sie eine beliebige Taste",
        "Ihr Bestätigungscode für OTP Site lautet: {digits}",
        "OTP Site: Ihr Bestätigungscode lautet {code}. Er ist 10 Minuten gültig.",
    ),
    "pt-BR": Expected(
        "pt-BR", "WOMAN", "Polly.Vitoria", "Pressione qualquer tecla",
        "Seu código de verificação de OTP Site é: {digits}",
        "OTP Site: seu código de verificação é {code}. Ele expira em 10 minutos.",
    ),
    "hi-IN": Expected(
        "hi-IN", "Polly.Aditi", "Polly.Aditi", "कोई भी बटन दबाएँ",
        "OTP Site के लिए आपका सत्यापन कोड है: {digits}",
        "OTP Site: आपका सत्यापन कोड {code} है। यह 10 मिनट में समाप्त हो जाएगा।",
    ),
}

UNSUPPORTED = ["xx-YY", "zz", ""]
