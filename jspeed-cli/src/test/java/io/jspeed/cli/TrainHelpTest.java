package io.jspeed.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** `jspeed train --help` says what each option really does. */
class TrainHelpTest {

    @Test
    void bf16HelpSaysWhatIsBf16AndWhatStaysFp32() {
        String help = Main.commandLine().getSubcommands().get("train").getUsageMessage().replaceAll("\\s+", " ");
        String bf16 = help.substring(help.indexOf("--bf16"));
        assertThat(bf16).contains("bf16-rounded weights").contains("fp32 master weights")
                .contains("every GEMM runs on bf16 operands with fp32 accumulation").contains("other arithmetic stay fp32")
                .contains("not memory");
    }
}
